package uplink

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pynomaly/pynomaly/agent/outbox"
)

type metrics struct {
	published   prometheus.Counter
	errors      prometheus.Counter
	reconnects  prometheus.Counter
	quarantined prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, ob *outbox.Store) (*metrics, error) {
	m := &metrics{
		published: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pynomaly_agent_uplink_delivered_total",
			Help: "Outbox entries acknowledged by the control plane and removed from the outbox.",
		}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pynomaly_agent_uplink_errors_total",
			Help: "Delivery attempts that failed and will be retried.",
		}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pynomaly_agent_uplink_reconnects_total",
			Help: "Reconnections to the control plane after a lost connection.",
		}),
		quarantined: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pynomaly_agent_outbox_quarantined_total",
			Help: "Outbox entries that could not be decoded and were moved aside undelivered.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	depth := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "pynomaly_agent_outbox_depth",
		Help: "Results in the outbox waiting for delivery.",
	}, func() float64 { return float64(ob.Depth()) })
	for _, c := range []prometheus.Collector{m.published, m.errors, m.reconnects, m.quarantined, depth} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("uplink: register metrics: %w", err)
		}
	}
	return m, nil
}
