package hbos_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/hbos"
	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
)

func TestConformance(t *testing.T) {
	tests := []struct {
		name string
		opts hbos.Options
	}{
		{name: "defaults", opts: hbos.Options{}},
		{name: "auto bins", opts: hbos.Options{Bins: hbos.AutoBins}},
		{name: "two bins", opts: hbos.Options{Bins: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sdktest.Run(t, mustFactory(t, tc.opts), sdktest.Options{})
		})
	}
}
