package threshold_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/threshold"
)

func mustParse(tb testing.TB, name string, params map[string]string) threshold.Policy {
	tb.Helper()
	p, err := threshold.Parse(name, params)
	if err != nil {
		tb.Fatalf("Parse(%q, %v): %v", name, params, err)
	}
	return p
}

// observeAll feeds scores to p and returns how many were flagged.
func observeAll(tb testing.TB, p threshold.Policy, scores []float64) int {
	tb.Helper()
	n := 0
	for i, s := range scores {
		a, err := p.Observe(s)
		if err != nil {
			tb.Fatalf("Observe(%v) at %d: %v", s, i, err)
		}
		if a {
			n++
		}
	}
	return n
}

// expScores returns 1−exp(−x) for x ~ Exp(rate): P(score > z) = (1−z)^rate.
func expScores(seed uint64, n int, rate float64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]float64, n)
	for i := range out {
		out[i] = 1 - math.Exp(-r.ExpFloat64()/rate)
	}
	return out
}

func mustSnapshot(tb testing.TB, p threshold.Policy) []byte {
	tb.Helper()
	b, err := p.MarshalBinary()
	if err != nil {
		tb.Fatalf("MarshalBinary: %v", err)
	}
	return b
}

// small are policies with short calibrations, for snapshot tests.
func small(tb testing.TB) map[string]func() threshold.Policy {
	return map[string]func() threshold.Policy{
		"fixed": func() threshold.Policy { return mustParse(tb, "fixed", map[string]string{"threshold": "0.9"}) },
		"quantile": func() threshold.Policy {
			return mustParse(tb, "quantile", map[string]string{"window": "16", "min_samples": "4", "q": "0.9"})
		},
		"spot": func() threshold.Policy {
			return mustParse(tb, "spot", map[string]string{"init": "20", "level": "0.8", "risk": "0.01"})
		},
		"dspot": func() threshold.Policy {
			return mustParse(tb, "dspot", map[string]string{"init": "20", "level": "0.8", "risk": "0.01", "depth": "3"})
		},
	}
}
