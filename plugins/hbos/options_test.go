package hbos_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/hbos"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    hbos.Options
		want    hbos.Options
		wantErr string
	}{
		{name: "defaults", want: hbos.Options{Bins: 10}},
		{name: "explicit", opts: hbos.Options{Bins: 25}, want: hbos.Options{Bins: 25}},
		{name: "auto", opts: hbos.Options{Bins: hbos.AutoBins}, want: hbos.Options{Bins: -1}},
		{name: "smallest", opts: hbos.Options{Bins: 2}, want: hbos.Options{Bins: 2}},
		{name: "largest", opts: hbos.Options{Bins: 1000}, want: hbos.Options{Bins: 1000}},
		{name: "one bin", opts: hbos.Options{Bins: 1}, wantErr: "bins 1 out of range: must be 2..1000, or auto"},
		{name: "negative", opts: hbos.Options{Bins: -2}, wantErr: "bins -2 out of range: must be 2..1000, or auto"},
		{name: "too many", opts: hbos.Options{Bins: 1001}, wantErr: "bins 1001 out of range: must be 2..1000, or auto"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckNew(t, hbos.New, tc.opts, tc.want, tc.wantErr) })
	}
}

func TestParseParams(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]string
		want    hbos.Options
		wantErr string
	}{
		{name: "nil", want: hbos.Options{Bins: 10}},
		{name: "bins", params: map[string]string{"bins": "20"}, want: hbos.Options{Bins: 20}},
		{name: "auto", params: map[string]string{"bins": "auto"}, want: hbos.Options{Bins: hbos.AutoBins}},
		{name: "zero means default", params: map[string]string{"bins": "0"}, want: hbos.Options{Bins: 10}},
		{name: "unknown key", params: map[string]string{"bin": "5"}, wantErr: `unknown param "bin" (known: bins)`},
		{name: "first unknown key sorted", params: map[string]string{"z": "1", "a": "1"}, wantErr: `unknown param "a" (known: bins)`},
		{name: "not an integer", params: map[string]string{"bins": "many"}, wantErr: `param bins="many": want an integer or auto`},
		{name: "Auto is not auto", params: map[string]string{"bins": "Auto"}, wantErr: `param bins="Auto": want an integer or auto`},
		{name: "out of range", params: map[string]string{"bins": "1"}, wantErr: "bins 1 out of range: must be 2..1000, or auto"},
		{name: "minus one is not auto", params: map[string]string{"bins": "-1"}, want: hbos.Options{Bins: hbos.AutoBins}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckParse(t, hbos.ParseParams, tc.params, tc.want, tc.wantErr) })
	}
}

func TestFactoryNew(t *testing.T) {
	f := mustFactory(t, hbos.Options{})
	if got, want := f.Info(), (sdk.Info{Name: "hbos", Version: "1", Kind: sdk.Batch, Explains: true}); got != want {
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
