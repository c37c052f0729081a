package pca_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/pca"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    pca.Options
		want    pca.Options
		wantErr string
	}{
		{name: "defaults", want: pca.Options{Variance: 0.95}},
		{name: "components", opts: pca.Options{Components: 3}, want: pca.Options{Components: 3}},
		{name: "variance", opts: pca.Options{Variance: 0.8}, want: pca.Options{Variance: 0.8}},
		{name: "all variance", opts: pca.Options{Variance: 1}, want: pca.Options{Variance: 1}},
		{name: "most components", opts: pca.Options{Components: 1023}, want: pca.Options{Components: 1023}},
		{name: "both", opts: pca.Options{Components: 2, Variance: 0.9}, wantErr: "components 2 and variance 0.9 both set: set one"},
		{name: "negative components", opts: pca.Options{Components: -1}, wantErr: "components -1 out of range: must be 1..1023, or 0 to choose by variance"},
		{name: "too many components", opts: pca.Options{Components: 1024}, wantErr: "components 1024 out of range: must be 1..1023, or 0 to choose by variance"},
		{name: "negative variance", opts: pca.Options{Variance: -0.5}, wantErr: "variance -0.5 out of range: must be in (0, 1]"},
		{name: "variance over 1", opts: pca.Options{Variance: 1.5}, wantErr: "variance 1.5 out of range: must be in (0, 1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckNew(t, pca.New, tc.opts, tc.want, tc.wantErr) })
	}
}

func TestParseParams(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]string
		want    pca.Options
		wantErr string
	}{
		{name: "nil", want: pca.Options{Variance: 0.95}},
		{name: "components", params: map[string]string{"components": "2"}, want: pca.Options{Components: 2}},
		{name: "variance", params: map[string]string{"variance": "0.9"}, want: pca.Options{Variance: 0.9}},
		{name: "zero means unset", params: map[string]string{"components": "0", "variance": "0"}, want: pca.Options{Variance: 0.95}},
		{name: "both", params: map[string]string{"components": "2", "variance": "0.9"}, wantErr: "components 2 and variance 0.9 both set: set one"},
		{name: "unknown key", params: map[string]string{"component": "2"}, wantErr: `unknown param "component" (known: components, variance)`},
		{name: "first unknown key sorted", params: map[string]string{"z": "1", "b": "1"}, wantErr: `unknown param "b" (known: components, variance)`},
		{name: "components not an integer", params: map[string]string{"components": "2.5"}, wantErr: `param components="2.5": want an integer`},
		{name: "variance not a number", params: map[string]string{"variance": "most"}, wantErr: `param variance="most": want a number`},
		{name: "variance NaN", params: map[string]string{"variance": "NaN"}, wantErr: `param variance="NaN": want a number`},
		{name: "variance percent", params: map[string]string{"variance": "95"}, wantErr: "variance 95 out of range: must be in (0, 1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckParse(t, pca.ParseParams, tc.params, tc.want, tc.wantErr) })
	}
}

func TestFactoryNew(t *testing.T) {
	if got, want := mustFactory(t, pca.Options{}).Info(), (sdk.Info{Name: "pca", Version: "1", Kind: sdk.Batch, MaxDim: 1024, Explains: true}); got != want {
		t.Errorf("Info() = %+v, want %+v", got, want)
	}
	tests := []struct {
		opts    pca.Options
		dim     int
		wantErr error
	}{
		{dim: 2},
		{dim: 1024},
		{opts: pca.Options{Components: 3}, dim: 4},
		{opts: pca.Options{Components: 3}, dim: 3, wantErr: sdk.ErrInvalidInput},
		{dim: 1, wantErr: sdk.ErrInvalidInput},
		{dim: 0, wantErr: sdk.ErrInvalidInput},
		{dim: 1025, wantErr: sdk.ErrInvalidInput},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%+v dim=%d", tc.opts, tc.dim), func(t *testing.T) {
			d, err := mustFactory(t, tc.opts).New(tc.dim)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("New(%d) error = %v, want %v", tc.dim, err, tc.wantErr)
			}
			if err == nil {
				if _, ok := d.(model); !ok {
					t.Fatalf("New(%d) = %T, not an sdk.Fitter and sdk.Explainer", tc.dim, d)
				}
			}
		})
	}
}
