package kmeans_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/kmeans"
	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
)

func TestConformance(t *testing.T) {
	tests := []struct {
		name string
		opts kmeans.Options
	}{
		{name: "defaults", opts: kmeans.Options{}},
		{name: "no preprocessing", opts: kmeans.Options{Diff: kmeans.Off, Smooth: 1, Lag: kmeans.Off}},
		{name: "k 5", opts: kmeans.Options{K: 5, Lag: 10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sdktest.Run(t, mustFactory(t, tc.opts), sdktest.Options{FitPoints: 512})
		})
	}
}
