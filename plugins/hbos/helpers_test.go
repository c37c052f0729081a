package hbos_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/hbos"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// model is what an hbos instance implements.
type model interface {
	sdk.Detector
	sdk.Fitter
	sdk.Explainer
}

func mustFactory(tb testing.TB, opts hbos.Options) *hbos.Factory {
	tb.Helper()
	f, err := hbos.New(opts)
	if err != nil {
		tb.Fatalf("New(%+v): %v", opts, err)
	}
	return f
}

func mustInstance(tb testing.TB, f *hbos.Factory, dim int) model {
	tb.Helper()
	d, err := f.New(dim)
	if err != nil {
		tb.Fatalf("New(%d): %v", dim, err)
	}
	return d.(model)
}

// mustFitted returns an instance of f fitted on xs.
func mustFitted(tb testing.TB, f *hbos.Factory, xs [][]float64) model {
	tb.Helper()
	d := mustInstance(tb, f, len(xs[0]))
	if err := d.Fit(xs); err != nil {
		tb.Fatalf("Fit: %v", err)
	}
	return d
}
