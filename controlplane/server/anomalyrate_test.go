package server

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestAnomalyRate(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "pynomaly_alerts_ingested_total", Help: "test"})
	reg.MustRegister(c)
	r := newAnomalyRate(reg, time.Minute)
	t0 := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	if got := r.rate(); got != 0 {
		t.Fatalf("rate with no samples = %v", got)
	}
	r.sample(t0)
	c.Add(300)
	r.sample(t0.Add(30 * time.Second))
	if got := r.rate(); got != 10 {
		t.Errorf("300 alerts in 30 s: rate %v, want 10", got)
	}
	// A minute later with nothing new, the window holds only quiet time.
	r.sample(t0.Add(90 * time.Second))
	r.sample(t0.Add(100 * time.Second))
	if got := r.rate(); got != 0 {
		t.Errorf("quiet minute: rate %v, want 0 (samples %v)", got, r.samples)
	}
	c.Add(70)
	r.sample(t0.Add(107 * time.Second))
	// Measured from the last sample at or before the window's start (30 s).
	if got, want := r.rate(), 70.0/77; got < want-1e-9 || got > want+1e-9 {
		t.Errorf("70 alerts since the window's start: rate %v, want %v", got, want)
	}
	if len(r.samples) > 4 {
		t.Errorf("kept %d samples; old ones should be dropped", len(r.samples))
	}
}
