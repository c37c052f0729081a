package iforest_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/iforest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// model is what an iforest instance implements.
type model interface {
	sdk.Detector
	sdk.Fitter
	sdk.Explainer
}

func mustFactory(tb testing.TB, opts iforest.Options) *iforest.Factory {
	tb.Helper()
	f, err := iforest.New(opts)
	if err != nil {
		tb.Fatalf("New(%+v): %v", opts, err)
	}
	return f
}

func mustInstance(tb testing.TB, f *iforest.Factory, dim int) model {
	tb.Helper()
	d, err := f.New(dim)
	if err != nil {
		tb.Fatalf("New(%d): %v", dim, err)
	}
	return d.(model)
}

// mustFitted returns an instance of f fitted on xs.
func mustFitted(tb testing.TB, f *iforest.Factory, xs [][]float64) model {
	tb.Helper()
	d := mustInstance(tb, f, len(xs[0]))
	if err := d.Fit(xs); err != nil {
		tb.Fatalf("Fit: %v", err)
	}
	return d
}
