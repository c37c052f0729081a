package zscore_test

import (
	"math/rand/v2"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/zscore"
)

func mustFactory(tb testing.TB, opts zscore.Options) *zscore.Factory {
	tb.Helper()
	f, err := zscore.New(opts)
	if err != nil {
		tb.Fatalf("New(%+v): %v", opts, err)
	}
	return f
}

func mustInstance(tb testing.TB, f *zscore.Factory) sdk.Detector {
	tb.Helper()
	d, err := f.New(1)
	if err != nil {
		tb.Fatalf("New(1): %v", err)
	}
	return d
}

func mustScore(tb testing.TB, d sdk.Detector, x float64) float64 {
	tb.Helper()
	s, err := d.Score([]float64{x})
	if err != nil {
		tb.Fatalf("Score(%v): %v", x, err)
	}
	if !(s >= 0 && s <= 1) {
		tb.Fatalf("Score(%v) = %v, outside [0, 1]", x, s)
	}
	return s
}

func scoreAll(tb testing.TB, d sdk.Detector, xs []float64) []float64 {
	tb.Helper()
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = mustScore(tb, d, x)
	}
	return out
}

func mustSnapshot(tb testing.TB, d sdk.Detector) []byte {
	tb.Helper()
	b, err := d.MarshalBinary()
	if err != nil {
		tb.Fatalf("MarshalBinary: %v", err)
	}
	return b
}

// noisy returns n draws from N(mean, sd²), the same for the same seed.
func noisy(seed uint64, n int, mean, sd float64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = mean + sd*r.NormFloat64()
	}
	return xs
}
