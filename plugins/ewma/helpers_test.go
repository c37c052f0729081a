package ewma_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/ewma"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func mustFactory(tb testing.TB, opts ewma.Options) *ewma.Factory {
	tb.Helper()
	f, err := ewma.New(opts)
	if err != nil {
		tb.Fatalf("New(%+v): %v", opts, err)
	}
	return f
}

func mustInstance(tb testing.TB, f *ewma.Factory) sdk.Detector {
	tb.Helper()
	d, err := f.New(1)
	if err != nil {
		tb.Fatalf("New(1): %v", err)
	}
	return d
}
