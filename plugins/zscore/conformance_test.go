package zscore_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
	"github.com/pynomaly/pynomaly/plugins/zscore"
)

func TestConformance(t *testing.T) {
	tests := []struct {
		name string
		opts zscore.Options
	}{
		{name: "defaults", opts: zscore.Options{}},
		// A small window wraps around many times, and with the suite's run of
		// identical points it is often constant (MAD and spread 0).
		{name: "window=8", opts: zscore.Options{Window: 8, MinSamples: 2}},
		{name: "window=9", opts: zscore.Options{Window: 9, MinSamples: 9}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sdktest.Run(t, mustFactory(t, tc.opts), sdktest.Options{})
		})
	}
}
