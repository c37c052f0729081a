package hst_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/hst"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

var defaults = hst.Options{Trees: 25, Depth: 15, Window: 250, Seed: 1}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    hst.Options
		want    hst.Options
		wantErr string
	}{
		{name: "defaults", want: defaults},
		{name: "explicit", opts: hst.Options{Trees: 50, Depth: 10, Window: 1000, Seed: 42}, want: hst.Options{Trees: 50, Depth: 10, Window: 1000, Seed: 42}},
		{name: "smallest", opts: hst.Options{Trees: 1, Depth: 1, Window: 10, Seed: 1}, want: hst.Options{Trees: 1, Depth: 1, Window: 10, Seed: 1}},
		{name: "largest", opts: hst.Options{Trees: 256, Depth: 30, Window: 1 << 16, Seed: 1<<64 - 1}, want: hst.Options{Trees: 256, Depth: 30, Window: 1 << 16, Seed: 1<<64 - 1}},
		{name: "trees negative", opts: hst.Options{Trees: -1}, wantErr: "trees -1 out of range: must be 1..256"},
		{name: "trees too many", opts: hst.Options{Trees: 257}, wantErr: "trees 257 out of range: must be 1..256"},
		{name: "depth too deep", opts: hst.Options{Depth: 31}, wantErr: "depth 31 out of range: must be 1..30"},
		{name: "depth negative", opts: hst.Options{Depth: -15}, wantErr: "depth -15 out of range: must be 1..30"},
		{name: "window too small", opts: hst.Options{Window: 9}, wantErr: "window 9 out of range: must be 10..65536"},
		{name: "window too large", opts: hst.Options{Window: 1<<16 + 1}, wantErr: "window 65537 out of range: must be 10..65536"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckNew(t, hst.New, tc.opts, tc.want, tc.wantErr) })
	}
}

func TestParseParams(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]string
		want    hst.Options
		wantErr string
	}{
		{name: "nil", want: defaults},
		{name: "all", params: map[string]string{"trees": "50", "depth": "10", "window": "500", "seed": "18446744073709551615"}, want: hst.Options{Trees: 50, Depth: 10, Window: 500, Seed: 1<<64 - 1}},
		{name: "zero means default", params: map[string]string{"trees": "0", "seed": "0"}, want: defaults},
		{name: "unknown key", params: map[string]string{"tree": "50"}, wantErr: `unknown param "tree" (known: depth, seed, trees, window)`},
		{name: "first bad key sorted", params: map[string]string{"window": "x", "depth": "y"}, wantErr: `param depth="y": want an integer`},
		{name: "trees float", params: map[string]string{"trees": "2.5"}, wantErr: `param trees="2.5": want an integer`},
		{name: "seed negative", params: map[string]string{"seed": "-1"}, wantErr: `param seed="-1": want a non-negative integer`},
		{name: "seed overflows", params: map[string]string{"seed": "18446744073709551616"}, wantErr: `param seed="18446744073709551616": want a non-negative integer`},
		{name: "out of range", params: map[string]string{"window": "5"}, wantErr: "window 5 out of range: must be 10..65536"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckParse(t, hst.ParseParams, tc.params, tc.want, tc.wantErr) })
	}
}

func TestReadmeExample(t *testing.T) {
	typ, params := detectortest.ReadmeParams(t)
	if typ != hst.Name {
		t.Errorf("README example has type %q, want %q", typ, hst.Name)
	}
	if _, err := hst.ParseParams(params); err != nil {
		t.Errorf("README example params %v: %v", params, err)
	}
}

func TestFactoryNew(t *testing.T) {
	f := mustFactory(t, hst.Options{})
	if info := f.Info(); info != (sdk.Info{Name: "hst", Version: "1", Kind: sdk.Streaming, MaxDim: 0, Explains: true}) {
		t.Errorf("Info() = %+v", info)
	}
	for _, tc := range []struct {
		dim     int
		wantErr error
	}{{dim: 1}, {dim: 3}, {dim: 64}, {dim: 0, wantErr: sdk.ErrInvalidInput}, {dim: -1, wantErr: sdk.ErrInvalidInput}} {
		t.Run(fmt.Sprintf("dim=%d", tc.dim), func(t *testing.T) {
			d, err := f.New(tc.dim)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("New(%d) error = %v, want %v", tc.dim, err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if _, ok := d.(sdk.Explainer); !ok {
				t.Fatalf("New(%d) = %T, not an sdk.Explainer", tc.dim, d)
			}
		})
	}
}
