package server

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// anomalyRate is the guide's pynomaly_anomaly_rate: alerts (anomalies the
// fleet raised) this replica stored per second, over the last window. It
// samples the ingest counter rather than counting alerts itself, so it
// says exactly what pynomaly_alerts_ingested_total says, smoothed.
type anomalyRate struct {
	read   func() (float64, bool) // the counter's current value
	window time.Duration

	mu      sync.Mutex
	samples []rateSample // oldest first, spanning at most window
}

type rateSample struct {
	at    time.Time
	count float64
}

// anomalyRateWindow is the span the rate is averaged over: long enough to
// smooth a drain's bursts, short enough to show an incident as it happens.
const anomalyRateWindow = 5 * time.Minute

func newAnomalyRate(reg *prometheus.Registry, window time.Duration) *anomalyRate {
	return &anomalyRate{window: window, read: func() (float64, bool) { return counterValue(reg, "pynomaly_alerts_ingested_total") }}
}

// sample records the counter's value now, and forgets samples older than
// the window (keeping one at or before its start, to measure from).
func (r *anomalyRate) sample(now time.Time) {
	v, ok := r.read()
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples = append(r.samples, rateSample{now, v})
	start := now.Add(-r.window)
	for len(r.samples) > 2 && !r.samples[1].at.After(start) {
		r.samples = r.samples[1:]
	}
}

// rate is alerts per second between the oldest kept sample and the newest;
// 0 until there are two.
func (r *anomalyRate) rate() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.samples) < 2 {
		return 0
	}
	first, last := r.samples[0], r.samples[len(r.samples)-1]
	d := last.at.Sub(first.at).Seconds()
	if d <= 0 || last.count < first.count {
		return 0
	}
	return (last.count - first.count) / d
}

// run samples every tick until ctx ends.
func (r *anomalyRate) run(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	r.sample(time.Now())
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			r.sample(now)
		}
	}
}

func (r *anomalyRate) collector() prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "pynomaly_anomaly_rate",
		Help: "Alerts (anomalies raised by agents) this replica stored per second, averaged over the last 5 minutes; sum over replicas for the fleet.",
	}, r.rate)
}

// counterValue sums the values of the counter family name in reg.
func counterValue(reg prometheus.Gatherer, name string) (float64, bool) {
	mfs, err := reg.Gather()
	if err != nil {
		return 0, false
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		var sum float64
		for _, m := range mf.GetMetric() {
			sum += m.GetCounter().GetValue()
		}
		return sum, true
	}
	return 0, false
}
