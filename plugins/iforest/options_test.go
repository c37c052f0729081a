package iforest_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/iforest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

var defaults = iforest.Options{Trees: 100, SampleSize: 256, Seed: 1}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    iforest.Options
		want    iforest.Options
		wantErr string
	}{
		{name: "defaults", want: defaults},
		{name: "explicit", opts: iforest.Options{Trees: 10, SampleSize: 64, Seed: 7, MaxDepth: 4}, want: iforest.Options{Trees: 10, SampleSize: 64, Seed: 7, MaxDepth: 4}},
		{name: "smallest", opts: iforest.Options{Trees: 1, SampleSize: 2, MaxDepth: 1}, want: iforest.Options{Trees: 1, SampleSize: 2, Seed: 1, MaxDepth: 1}},
		{name: "largest", opts: iforest.Options{Trees: 1000, SampleSize: 65536, Seed: 1<<64 - 1, MaxDepth: 64}, want: iforest.Options{Trees: 1000, SampleSize: 65536, Seed: 1<<64 - 1, MaxDepth: 64}},
		{name: "trees negative", opts: iforest.Options{Trees: -1}, wantErr: "trees -1 out of range: must be 1..1000"},
		{name: "trees too many", opts: iforest.Options{Trees: 1001}, wantErr: "trees 1001 out of range: must be 1..1000"},
		{name: "sample_size 1", opts: iforest.Options{SampleSize: 1}, wantErr: "sample_size 1 out of range: must be 2..65536"},
		{name: "sample_size too large", opts: iforest.Options{SampleSize: 65537}, wantErr: "sample_size 65537 out of range: must be 2..65536"},
		{name: "max_depth negative", opts: iforest.Options{MaxDepth: -1}, wantErr: "max_depth -1 out of range: must be 1..64, or 0 for ceil(log2(sample_size))"},
		{name: "max_depth too deep", opts: iforest.Options{MaxDepth: 65}, wantErr: "max_depth 65 out of range: must be 1..64, or 0 for ceil(log2(sample_size))"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckNew(t, iforest.New, tc.opts, tc.want, tc.wantErr) })
	}
}

func TestParseParams(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]string
		want    iforest.Options
		wantErr string
	}{
		{name: "nil", want: defaults},
		{name: "all", params: map[string]string{"trees": "50", "sample_size": "128", "seed": "42", "max_depth": "6"}, want: iforest.Options{Trees: 50, SampleSize: 128, Seed: 42, MaxDepth: 6}},
		{name: "zero means default", params: map[string]string{"trees": "0", "seed": "0"}, want: defaults},
		{name: "unknown key", params: map[string]string{"tree": "5"}, wantErr: `unknown param "tree" (known: max_depth, sample_size, seed, trees)`},
		{name: "first unknown key sorted", params: map[string]string{"z": "1", "b": "1", "trees": "x"}, wantErr: `unknown param "b" (known: max_depth, sample_size, seed, trees)`},
		{name: "not an integer", params: map[string]string{"trees": "many"}, wantErr: `param trees="many": want an integer`},
		{name: "float", params: map[string]string{"sample_size": "2.5"}, wantErr: `param sample_size="2.5": want an integer`},
		{name: "negative seed", params: map[string]string{"seed": "-1"}, wantErr: `param seed="-1": want a non-negative integer`},
		{name: "out of range", params: map[string]string{"trees": "5000"}, wantErr: "trees 5000 out of range: must be 1..1000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckParse(t, iforest.ParseParams, tc.params, tc.want, tc.wantErr) })
	}
}

func TestFactoryNew(t *testing.T) {
	f := mustFactory(t, iforest.Options{})
	if got, want := f.Info(), (sdk.Info{Name: "iforest", Version: "1", Kind: sdk.Batch, Explains: true}); got != want {
		t.Errorf("Info() = %+v, want %+v", got, want)
	}
	tests := []struct {
		dim     int
		wantErr error
	}{
		{dim: 1},
		{dim: 64},
		{dim: 0, wantErr: sdk.ErrInvalidInput},
		{dim: -1, wantErr: sdk.ErrInvalidInput},
		{dim: 1<<20 + 1, wantErr: sdk.ErrInvalidInput},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("dim=%d", tc.dim), func(t *testing.T) {
			d, err := f.New(tc.dim)
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
