package agent

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

type inputMetrics struct {
	records *prometheus.CounterVec
	errors  *prometheus.CounterVec
	alerts  *prometheus.CounterVec
}

func newInputMetrics(reg prometheus.Registerer) (*inputMetrics, error) {
	m := &inputMetrics{
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pynomaly_agent_input_records_total",
			Help: "Records read, scored and committed, by input.",
		}, []string{"input"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pynomaly_agent_input_errors_total",
			Help: "Records skipped as unusable, by input and reason.",
		}, []string{"input", "reason"}),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pynomaly_agent_alerts_total",
			Help: "Alerts raised and put in the outbox, by input.",
		}, []string{"input"}),
	}
	for _, c := range []prometheus.Collector{m.records, m.errors, m.alerts} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("agent: register metrics: %w", err)
		}
	}
	return m, nil
}
