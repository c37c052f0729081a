package seasonal_test

import (
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/seasonal"
)

func mustFactory(tb testing.TB, opts seasonal.Options) *seasonal.Factory {
	tb.Helper()
	f, err := seasonal.New(opts)
	if err != nil {
		tb.Fatalf("New(%+v): %v", opts, err)
	}
	return f
}

func mustInstance(tb testing.TB, f *seasonal.Factory) sdk.Detector {
	tb.Helper()
	d, err := f.New(1)
	if err != nil {
		tb.Fatalf("New(1): %v", err)
	}
	return d
}

// sine returns n values of amp·sin(2πt/period) plus N(0, sd²) noise.
func sine(seed uint64, n, period int, amp, sd float64) []float64 {
	xs := detectortest.Noisy(seed, n, 0, sd)
	for t := range xs {
		xs[t] += amp * math.Sin(2*math.Pi*float64(t)/float64(period))
	}
	return xs
}
