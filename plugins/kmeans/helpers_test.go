package kmeans_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/kmeans"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// model is what a kmeans instance implements.
type model interface {
	sdk.Detector
	sdk.Fitter
}

func mustFactory(tb testing.TB, opts kmeans.Options) *kmeans.Factory {
	tb.Helper()
	f, err := kmeans.New(opts)
	if err != nil {
		tb.Fatalf("New(%+v): %v", opts, err)
	}
	return f
}

func mustInstance(tb testing.TB, f *kmeans.Factory) model {
	tb.Helper()
	d, err := f.New(1)
	if err != nil {
		tb.Fatalf("New(1): %v", err)
	}
	return d.(model)
}

// mustFitted returns an instance of f fitted on the series vals.
func mustFitted(tb testing.TB, f *kmeans.Factory, vals []float64) model {
	tb.Helper()
	d := mustInstance(tb, f)
	if err := d.Fit(rows(vals)); err != nil {
		tb.Fatalf("Fit(%d rows): %v", len(vals), err)
	}
	return d
}

// rows turns a series into one-feature rows.
func rows(vals []float64) [][]float64 {
	xs := make([][]float64, len(vals))
	for i, v := range vals {
		xs[i] = []float64{v}
	}
	return xs
}

// sine returns n points of a sine of the given period and amplitude plus
// N(0, noise²), the same for the same seed.
func sine(seed uint64, n int, period, amp, noise float64) []float64 {
	r := rand.New(rand.NewPCG(seed, 3))
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = amp*math.Sin(2*math.Pi*float64(i)/period) + noise*r.NormFloat64()
	}
	return xs
}
