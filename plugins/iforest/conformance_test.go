package iforest_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/iforest"
	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
)

func TestConformance(t *testing.T) {
	tests := []struct {
		name string
		opts iforest.Options
	}{
		{name: "defaults", opts: iforest.Options{}},
		// Fewer trees than a walk group, shallow, on a sample larger than
		// the suite's fit rows.
		{name: "small", opts: iforest.Options{Trees: 3, SampleSize: 1024, MaxDepth: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sdktest.Run(t, mustFactory(t, tc.opts), sdktest.Options{})
		})
	}
}
