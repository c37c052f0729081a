package ewma_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/ewma"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

var defaults = ewma.Options{Alpha: 0.05, MinSamples: 30, Clip: 5}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    ewma.Options
		want    ewma.Options
		wantErr string
	}{
		{name: "defaults", want: defaults},
		{name: "explicit", opts: ewma.Options{Alpha: 0.2, MinSamples: 10, Clip: 3}, want: ewma.Options{Alpha: 0.2, MinSamples: 10, Clip: 3}},
		{name: "limits", opts: ewma.Options{Alpha: 0.5, MinSamples: 2, Clip: 2}, want: ewma.Options{Alpha: 0.5, MinSamples: 2, Clip: 2}},
		{name: "upper limits", opts: ewma.Options{Alpha: 1e-9, MinSamples: 1 << 20, Clip: 1000}, want: ewma.Options{Alpha: 1e-9, MinSamples: 1 << 20, Clip: 1000}},
		{name: "alpha negative", opts: ewma.Options{Alpha: -0.1}, wantErr: "alpha -0.1 out of range: must be > 0 and <= 0.5"},
		{name: "alpha too large", opts: ewma.Options{Alpha: 0.6}, wantErr: "alpha 0.6 out of range: must be > 0 and <= 0.5"},
		{name: "min_samples 1", opts: ewma.Options{MinSamples: 1}, wantErr: "min_samples 1 out of range: must be 2..1048576"},
		{name: "min_samples too large", opts: ewma.Options{MinSamples: 1<<20 + 1}, wantErr: "min_samples 1048577 out of range: must be 2..1048576"},
		{name: "clip too small", opts: ewma.Options{Clip: 1.5}, wantErr: "clip 1.5 out of range: must be 2..1000"},
		{name: "clip negative", opts: ewma.Options{Clip: -5}, wantErr: "clip -5 out of range: must be 2..1000"},
		{name: "clip too large", opts: ewma.Options{Clip: 1001}, wantErr: "clip 1001 out of range: must be 2..1000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckNew(t, ewma.New, tc.opts, tc.want, tc.wantErr) })
	}
}

func TestParseParams(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]string
		want    ewma.Options
		wantErr string
	}{
		{name: "nil", want: defaults},
		{name: "all", params: map[string]string{"alpha": "0.1", "min_samples": "50", "clip": "4.5"}, want: ewma.Options{Alpha: 0.1, MinSamples: 50, Clip: 4.5}},
		{name: "zero means default", params: map[string]string{"alpha": "0", "clip": "0"}, want: defaults},
		{name: "unknown key", params: map[string]string{"alhpa": "0.1"}, wantErr: `unknown param "alhpa" (known: alpha, clip, min_samples)`},
		{name: "first bad key sorted", params: map[string]string{"z": "1", "clip": "x"}, wantErr: `param clip="x": want a finite number`},
		{name: "alpha not a number", params: map[string]string{"alpha": "fast"}, wantErr: `param alpha="fast": want a finite number`},
		{name: "alpha NaN", params: map[string]string{"alpha": "NaN"}, wantErr: `param alpha="NaN": want a finite number`},
		{name: "clip Inf", params: map[string]string{"clip": "+Inf"}, wantErr: `param clip="+Inf": want a finite number`},
		{name: "min_samples float", params: map[string]string{"min_samples": "2.5"}, wantErr: `param min_samples="2.5": want an integer`},
		{name: "empty value", params: map[string]string{"alpha": ""}, wantErr: `param alpha="": want a finite number`},
		{name: "out of range", params: map[string]string{"alpha": "0.9"}, wantErr: "alpha 0.9 out of range: must be > 0 and <= 0.5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckParse(t, ewma.ParseParams, tc.params, tc.want, tc.wantErr) })
	}
}

func TestReadmeExample(t *testing.T) {
	typ, params := detectortest.ReadmeParams(t)
	if typ != ewma.Name {
		t.Errorf("README example has type %q, want %q", typ, ewma.Name)
	}
	if _, err := ewma.ParseParams(params); err != nil {
		t.Errorf("README example params %v: %v", params, err)
	}
}

func TestFactoryNew(t *testing.T) {
	f := mustFactory(t, ewma.Options{})
	if info := f.Info(); info != (sdk.Info{Name: "ewma", Version: "1", Kind: sdk.Streaming, MaxDim: 1}) {
		t.Errorf("Info() = %+v", info)
	}
	for _, tc := range []struct {
		dim     int
		wantErr error
	}{{dim: 1}, {dim: 0, wantErr: sdk.ErrInvalidInput}, {dim: -1, wantErr: sdk.ErrInvalidInput}, {dim: 2, wantErr: sdk.ErrInvalidInput}} {
		t.Run(fmt.Sprintf("dim=%d", tc.dim), func(t *testing.T) {
			d, err := f.New(tc.dim)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("New(%d) error = %v, want %v", tc.dim, err, tc.wantErr)
			}
			if err == nil && d == nil {
				t.Fatalf("New(%d) returned a nil instance", tc.dim)
			}
		})
	}
}
