package zscore_test

import (
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
