package ingest

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	alerts     prometheus.Counter
	duplicates prometheus.Counter
	heartbeats prometheus.Counter
	rejected   *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		alerts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pynomaly_alerts_ingested_total",
			Help: "Alerts received from agents and stored for the first time.",
		}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pynomaly_alerts_duplicate_total",
			Help: "Alerts received again (retries, replays) and skipped because their id was already stored.",
		}),
		heartbeats: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pynomaly_heartbeats_received_total",
			Help: "Agent heartbeats received and recorded.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pynomaly_ingest_rejected_total",
			Help: "Agent messages rejected as undecodable or invalid, by reason.",
		}, []string{"reason"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.alerts, m.duplicates, m.heartbeats, m.rejected} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("ingest: register metrics: %w", err)
		}
	}
	return m, nil
}
