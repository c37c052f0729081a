package surprise_test

import (
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/surprise"
)

func mustFactory(tb testing.TB, opts surprise.Options) *surprise.Factory {
	tb.Helper()
	f, err := surprise.New(opts)
	if err != nil {
		tb.Fatalf("New(%+v): %v", opts, err)
	}
	return f
}

func mustInstance(tb testing.TB, f *surprise.Factory) sdk.Detector {
	tb.Helper()
	d, err := f.New(1)
	if err != nil {
		tb.Fatalf("New(1): %v", err)
	}
	return d
}

// daily returns n points of a daily cycle of period points (a smooth
// rise and fall between 10 and 20) with a little deterministic noise.
func daily(n, period int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		phase := 2 * math.Pi * float64(i%period) / float64(period)
		xs[i] = 15 - 5*math.Cos(phase) + 0.3*math.Sin(float64(i*i%101))
	}
	return xs
}

// peaks counts the runs of scores at or above th.
func peaks(scores []float64, th float64) int {
	n := 0
	for i, s := range scores {
		if s >= th && (i == 0 || scores[i-1] < th) {
			n++
		}
	}
	return n
}
