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

// modelMetrics holds one detector's metric children, resolved once so the
// per-point path does no label hashing.
type modelMetrics struct {
	normal, anomaly, errors prometheus.Counter
	latency                 prometheus.Observer
}

func (m *Metrics) forModel(model string) *modelMetrics {
	if m == nil {
		return nil
	}
	return &modelMetrics{
		normal:  m.predictions.WithLabelValues(model, "normal"),
		anomaly: m.predictions.WithLabelValues(model, "anomaly"),
		errors:  m.predictions.WithLabelValues(model, "error"),
		latency: m.latency.WithLabelValues(model),
	}
}

// observeBatch records n points scored in d, each at the batch's average.
func (m *modelMetrics) observeBatch(d time.Duration, n int) {
	if m == nil || n == 0 {
		return
	}
	per := d.Seconds() / float64(n)
	for range n {
		m.latency.Observe(per)
	}
}

func (m *modelMetrics) refused() {
	if m != nil {
		m.errors.Inc()
	}
}

func (m *modelMetrics) result(anomalous bool) {
	if m == nil {
		return
	}
	if anomalous {
		m.anomaly.Inc()
	} else {
		m.normal.Inc()
	}
}
