package zscore_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/zscore"
)

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    zscore.Options
		want    zscore.Options
		wantErr string
	}{
		{name: "defaults", want: zscore.Options{Window: 256, MinSamples: 32}},
		{name: "explicit", opts: zscore.Options{Window: 64, MinSamples: 10}, want: zscore.Options{Window: 64, MinSamples: 10}},
		{name: "smallest", opts: zscore.Options{Window: 8, MinSamples: 2}, want: zscore.Options{Window: 8, MinSamples: 2}},
		{name: "min_samples equals window", opts: zscore.Options{Window: 8, MinSamples: 8}, want: zscore.Options{Window: 8, MinSamples: 8}},
		{name: "default min_samples capped at window", opts: zscore.Options{Window: 10}, want: zscore.Options{Window: 10, MinSamples: 10}},
		{name: "largest window", opts: zscore.Options{Window: zscore.MaxWindow}, want: zscore.Options{Window: zscore.MaxWindow, MinSamples: 32}},
		{name: "window too small", opts: zscore.Options{Window: 7}, wantErr: "window 7 out of range: must be 8..65536"},
		{name: "window negative", opts: zscore.Options{Window: -1}, wantErr: "window -1 out of range: must be 8..65536"},
		{name: "window too large", opts: zscore.Options{Window: zscore.MaxWindow + 1}, wantErr: "window 65537 out of range: must be 8..65536"},
		{name: "min_samples 1", opts: zscore.Options{MinSamples: 1}, wantErr: "min_samples 1 out of range: must be 2..window (256)"},
		{name: "min_samples negative", opts: zscore.Options{MinSamples: -3}, wantErr: "min_samples -3 out of range: must be 2..window (256)"},
		{name: "min_samples over window", opts: zscore.Options{Window: 16, MinSamples: 17}, wantErr: "min_samples 17 out of range: must be 2..window (16)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckNew(t, zscore.New, tc.opts, tc.want, tc.wantErr) })
	}
}

func TestParseParams(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]string
		want    zscore.Options
		wantErr string
	}{
		{name: "nil", want: zscore.Options{Window: 256, MinSamples: 32}},
		{name: "window", params: map[string]string{"window": "128"}, want: zscore.Options{Window: 128, MinSamples: 32}},
		{name: "both", params: map[string]string{"window": "16", "min_samples": "4"}, want: zscore.Options{Window: 16, MinSamples: 4}},
		{name: "zero means default", params: map[string]string{"window": "0"}, want: zscore.Options{Window: 256, MinSamples: 32}},
		{name: "unknown key", params: map[string]string{"windw": "128"}, wantErr: `unknown param "windw" (known: min_samples, window)`},
		{name: "first unknown key sorted", params: map[string]string{"z": "1", "b": "1", "window": "x"}, wantErr: `unknown param "b" (known: min_samples, window)`},
		{name: "not an integer", params: map[string]string{"window": "abc"}, wantErr: `param window="abc": want an integer`},
		{name: "float", params: map[string]string{"min_samples": "1.5"}, wantErr: `param min_samples="1.5": want an integer`},
		{name: "empty value", params: map[string]string{"window": ""}, wantErr: `param window="": want an integer`},
		{name: "out of range", params: map[string]string{"window": "4"}, wantErr: "window 4 out of range: must be 8..65536"},
		{name: "min_samples over window", params: map[string]string{"window": "8", "min_samples": "9"}, wantErr: "min_samples 9 out of range: must be 2..window (8)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckParse(t, zscore.ParseParams, tc.params, tc.want, tc.wantErr) })
	}
}

func TestFactoryNew(t *testing.T) {
	f := mustFactory(t, zscore.Options{})
	if f.Info().Name != "zscore" {
		t.Errorf("Info().Name = %q, want zscore", f.Info().Name)
	}
	tests := []struct {
		dim     int
		wantErr error
	}{
		{dim: 1},
		{dim: 0, wantErr: sdk.ErrInvalidInput},
		{dim: -1, wantErr: sdk.ErrInvalidInput},
		{dim: 2, wantErr: sdk.ErrInvalidInput},
	}
	for _, tc := range tests {
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
