package pipeline

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the detection metrics, shared by every pipeline of an agent.
// A nil *Metrics records nothing.
type Metrics struct {
	predictions *prometheus.CounterVec
	latency     *prometheus.HistogramVec
}

// NewMetrics registers the guide's prediction metrics on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		predictions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pynomaly_predictions_total",
			Help: "Points scored, by detector (model) and result: normal, anomaly or error.",
		}, []string{"model", "result"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pynomaly_model_latency_seconds",
			Help:    "Time to score one point, by detector (model).",
			Buckets: prometheus.ExponentialBuckets(1e-7, 4, 10),
		}, []string{"model"}),
	}
	for _, c := range []prometheus.Collector{m.predictions, m.latency} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("pipeline: register metrics: %w", err)
		}
	}
	return m, nil
}

func (m *Metrics) observe(model string, d time.Duration, err error) {
	if m == nil {
		return
	}
	m.latency.WithLabelValues(model).Observe(d.Seconds())
	if err != nil {
		m.predictions.WithLabelValues(model, "error").Inc()
	}
}

func (m *Metrics) result(model string, anomalous bool) {
	if m == nil {
		return
	}
	r := "normal"
	if anomalous {
		r = "anomaly"
	}
	m.predictions.WithLabelValues(model, r).Inc()
}
