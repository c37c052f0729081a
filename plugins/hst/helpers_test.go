package hst_test

import (
	"math/rand/v2"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/hst"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func mustFactory(tb testing.TB, opts hst.Options) *hst.Factory {
	tb.Helper()
	f, err := hst.New(opts)
	if err != nil {
		tb.Fatalf("New(%+v): %v", opts, err)
	}
	return f
}

func mustInstance(tb testing.TB, f *hst.Factory, dim int) sdk.Detector {
	tb.Helper()
	d, err := f.New(dim)
	if err != nil {
		tb.Fatalf("New(%d): %v", dim, err)
	}
	return d
}

func mustExplain(tb testing.TB, d sdk.Detector, x []float64) []float64 {
	tb.Helper()
	c, err := d.(sdk.Explainer).Explain(x)
	if err != nil {
		tb.Fatalf("Explain(%v): %v", x, err)
	}
	return c
}

// cluster returns n points around center, each feature N(center[q], 1),
// the same for the same seed.
func cluster(seed uint64, n int, center ...float64) [][]float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	xs := make([][]float64, n)
	for i := range xs {
		xs[i] = make([]float64, len(center))
		for q, c := range center {
			xs[i][q] = c + r.NormFloat64()
		}
	}
	return xs
}
