package pca_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/pca"
	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
)

func TestConformance(t *testing.T) {
	tests := []struct {
		name string
		opts pca.Options
	}{
		{name: "defaults", opts: pca.Options{}},
		{name: "one component", opts: pca.Options{Components: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// PCA needs two features or more; Info cannot say so, so the
			// suite's default dims (1 and 3) are replaced.
			sdktest.Run(t, mustFactory(t, tc.opts), sdktest.Options{Dims: []int{2, 3, 8}})
		})
	}
}
