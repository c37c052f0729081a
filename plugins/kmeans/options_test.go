package kmeans_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/kmeans"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

var defaults = kmeans.Options{Diff: 1, Smooth: 3, Lag: 5, K: 2, Iterations: 50, Seed: 1}

func TestNewOptions(t *testing.T) {
	with := func(fn func(o *kmeans.Options)) kmeans.Options { o := defaults; fn(&o); return o }
	tests := []struct {
		name    string
		opts    kmeans.Options
		want    kmeans.Options
		wantErr string
	}{
		{name: "defaults", want: defaults},
		{name: "explicit", opts: kmeans.Options{Diff: 2, Smooth: 1, Lag: 10, K: 4, Iterations: 5, Seed: 9},
			want: kmeans.Options{Diff: 2, Smooth: 1, Lag: 10, K: 4, Iterations: 5, Seed: 9}},
		{name: "diff off", opts: kmeans.Options{Diff: kmeans.Off}, want: with(func(o *kmeans.Options) { o.Diff = kmeans.Off })},
		{name: "lag off", opts: kmeans.Options{Lag: kmeans.Off}, want: with(func(o *kmeans.Options) { o.Lag = kmeans.Off })},
		{name: "largest", opts: kmeans.Options{Diff: 100, Smooth: 100, Lag: 100, K: 64, Iterations: 1000},
			want: kmeans.Options{Diff: 100, Smooth: 100, Lag: 100, K: 64, Iterations: 1000, Seed: 1}},
		{name: "diff too large", opts: kmeans.Options{Diff: 101}, wantErr: "diff 101 out of range: must be 1..100, or off"},
		{name: "diff negative", opts: kmeans.Options{Diff: -2}, wantErr: "diff -2 out of range: must be 1..100, or off"},
		{name: "smooth negative", opts: kmeans.Options{Smooth: -1}, wantErr: "smooth -1 out of range: must be 1..100"},
		{name: "smooth too large", opts: kmeans.Options{Smooth: 101}, wantErr: "smooth 101 out of range: must be 1..100"},
		{name: "lag too large", opts: kmeans.Options{Lag: 101}, wantErr: "lag 101 out of range: must be 1..100, or off"},
		{name: "k negative", opts: kmeans.Options{K: -1}, wantErr: "k -1 out of range: must be 1..64"},
		{name: "k too large", opts: kmeans.Options{K: 65}, wantErr: "k 65 out of range: must be 1..64"},
		{name: "iterations too many", opts: kmeans.Options{Iterations: 1001}, wantErr: "iterations 1001 out of range: must be 1..1000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckNew(t, kmeans.New, tc.opts, tc.want, tc.wantErr) })
	}
}

func TestParseParams(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]string
		want    kmeans.Options
		wantErr string
	}{
		{name: "nil", want: defaults},
		{name: "all", params: map[string]string{"diff": "2", "smooth": "4", "lag": "6", "k": "3", "iterations": "7", "seed": "18446744073709551615"},
			want: kmeans.Options{Diff: 2, Smooth: 4, Lag: 6, K: 3, Iterations: 7, Seed: 1<<64 - 1}},
		{name: "diff 0 is off", params: map[string]string{"diff": "0"}, want: kmeans.Options{Diff: kmeans.Off, Smooth: 3, Lag: 5, K: 2, Iterations: 50, Seed: 1}},
		{name: "lag 0 is off", params: map[string]string{"lag": "0"}, want: kmeans.Options{Diff: 1, Smooth: 3, Lag: kmeans.Off, K: 2, Iterations: 50, Seed: 1}},
		{name: "k 0 is default", params: map[string]string{"k": "0", "seed": "0"}, want: defaults},
		{name: "unknown key", params: map[string]string{"fit_rows": "2000"}, wantErr: `unknown param "fit_rows" (known: diff, iterations, k, lag, seed, smooth)`},
		{name: "first unknown key sorted", params: map[string]string{"z": "1", "a": "1"}, wantErr: `unknown param "a" (known: diff, iterations, k, lag, seed, smooth)`},
		{name: "not an integer", params: map[string]string{"k": "two"}, wantErr: `param k="two": want a non-negative integer`},
		{name: "negative", params: map[string]string{"lag": "-1"}, wantErr: `param lag="-1": want a non-negative integer`},
		{name: "negative seed", params: map[string]string{"seed": "-1"}, wantErr: `param seed="-1": want a non-negative integer`},
		{name: "out of range", params: map[string]string{"smooth": "101"}, wantErr: "smooth 101 out of range: must be 1..100"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckParse(t, kmeans.ParseParams, tc.params, tc.want, tc.wantErr) })
	}
}

// TestReadmeExample checks the README's config; fit_rows is the agent's
// key, which it removes before the detector sees the params.
func TestReadmeExample(t *testing.T) {
	typ, params := detectortest.ReadmeParams(t)
	if typ != kmeans.Name {
		t.Errorf("README example has type %q, want %q", typ, kmeans.Name)
	}
	delete(params, "fit_rows")
	if _, err := kmeans.ParseParams(params); err != nil {
		t.Errorf("README example params %v: %v", params, err)
	}
}

func TestFactoryNew(t *testing.T) {
	f := mustFactory(t, kmeans.Options{})
	if got, want := f.Info(), (sdk.Info{Name: "kmeans", Version: "1", Kind: sdk.Batch, MaxDim: 1}); got != want {
		t.Errorf("Info() = %+v, want %+v", got, want)
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
			if _, ok := d.(model); err == nil && !ok {
				t.Fatalf("New(%d) = %T, not an sdk.Fitter", tc.dim, d)
			}
		})
	}
}
