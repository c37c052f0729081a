package ensemble_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/ensemble"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func TestNew(t *testing.T) {
	a, b := newFake("a", 1), newFake("b", 1)
	batch := &fake{name: "iforest", gain: 1, kind: sdk.Batch}
	batch2 := &fake{name: "pca", gain: 1, kind: sdk.Batch}
	tests := []struct {
		name    string
		opts    ensemble.Options
		members []sdk.Factory
		want    ensemble.Options
		wantErr string
	}{
		{name: "defaults", members: []sdk.Factory{a, b}, want: ensemble.Options{Method: "mean"}},
		{name: "max", opts: ensemble.Options{Method: "max"}, members: []sdk.Factory{a, b}, want: ensemble.Options{Method: "max"}},
		{name: "rank default window", opts: ensemble.Options{Method: "rank"}, members: []sdk.Factory{a, b}, want: ensemble.Options{Method: "rank", RankWindow: 1000}},
		{name: "rank limits low", opts: ensemble.Options{Method: "rank", RankWindow: 10}, members: []sdk.Factory{a, b, a}, want: ensemble.Options{Method: "rank", RankWindow: 10}},
		{name: "rank limits high", opts: ensemble.Options{Method: "rank", RankWindow: 1 << 16}, members: []sdk.Factory{a, b}, want: ensemble.Options{Method: "rank", RankWindow: 1 << 16}},
		{name: "unknown method", opts: ensemble.Options{Method: "median"}, members: []sdk.Factory{a, b}, wantErr: `unknown method "median" (known: max, mean, rank)`},
		{name: "method case", opts: ensemble.Options{Method: "Mean"}, members: []sdk.Factory{a, b}, wantErr: `unknown method "Mean" (known: max, mean, rank)`},
		{name: "window too small", opts: ensemble.Options{Method: "rank", RankWindow: 9}, members: []sdk.Factory{a, b}, wantErr: "rank_window 9 out of range: must be 10..65536"},
		{name: "window negative", opts: ensemble.Options{Method: "rank", RankWindow: -1}, members: []sdk.Factory{a, b}, wantErr: "rank_window -1 out of range: must be 10..65536"},
		{name: "window too large", opts: ensemble.Options{Method: "rank", RankWindow: 1<<16 + 1}, members: []sdk.Factory{a, b}, wantErr: "rank_window 65537 out of range: must be 10..65536"},
		{name: "window without rank", opts: ensemble.Options{Method: "max", RankWindow: 100}, members: []sdk.Factory{a, b}, wantErr: `rank_window 100 set with method "max": it applies only to method "rank"`},
		{name: "window with default method", opts: ensemble.Options{RankWindow: 100}, members: []sdk.Factory{a, b}, wantErr: `rank_window 100 set with method "mean": it applies only to method "rank"`},
		{name: "no members", wantErr: "ensemble of 0 members: want at least 2"},
		{name: "one member", members: []sdk.Factory{a}, wantErr: "ensemble of 1 members: want at least 2"},
		{name: "nil member", members: []sdk.Factory{a, nil}, wantErr: "member 1 is nil"},
		{name: "batch member", members: []sdk.Factory{a, batch}, wantErr: "member 1 (iforest): not streaming; wrap a batch detector with sdk.FitFirst to stream it"},
		{name: "batch members", members: []sdk.Factory{batch, a, batch2}, wantErr: "member 0 (iforest), 2 (pca): not streaming; wrap a batch detector with sdk.FitFirst to stream it"},
		{name: "options checked first", opts: ensemble.Options{Method: "x"}, members: []sdk.Factory{a}, wantErr: `unknown method "x" (known: max, mean, rank)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ensemble.New(tc.opts, tc.members...)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("New error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if got := f.Options(); got != tc.want {
				t.Errorf("Options() = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestInfo(t *testing.T) {
	dimmed := func(name string, maxDim int) *fake { f := newFake(name, 1); f.maxDim = maxDim; return f }
	tests := []struct {
		name       string
		members    []sdk.Factory
		wantMaxDim int
	}{
		{"all any", []sdk.Factory{dimmed("a", 0), dimmed("b", 0)}, 0},
		{"one limited", []sdk.Factory{dimmed("a", 0), dimmed("b", 3)}, 3},
		{"smallest non-zero", []sdk.Factory{dimmed("a", 5), dimmed("b", 0), dimmed("c", 2)}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mustFactory(t, ensemble.Options{}, tc.members...)
			want := sdk.Info{Name: "ensemble", Version: "1", Kind: sdk.Streaming, MaxDim: tc.wantMaxDim}
			if got := f.Info(); got != want {
				t.Errorf("Info() = %+v, want %+v", got, want)
			}
		})
	}
}

func TestFactoryNewDim(t *testing.T) {
	f := zscoreEWMA(t, ensemble.Options{})
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

func TestParseParams(t *testing.T) {
	tests := []struct {
		params  map[string]string
		want    ensemble.Options
		wantErr string
	}{
		{params: nil, want: ensemble.Options{Method: "mean"}},
		{params: map[string]string{"method": "max"}, want: ensemble.Options{Method: "max"}},
		{params: map[string]string{"method": "rank", "rank_window": "50"}, want: ensemble.Options{Method: "rank", RankWindow: 50}},
		{params: map[string]string{"method": "median"}, wantErr: `unknown method "median" (known: max, mean, rank)`},
		{params: map[string]string{"method": "rank", "rank_window": "big"}, wantErr: `param rank_window="big": want an integer`},
		{params: map[string]string{"rank_window": "50"}, wantErr: `rank_window 50 set with method "mean": it applies only to method "rank"`},
		{params: map[string]string{"members": "zscore,ewma"}, wantErr: `unknown param "members" (known: method, rank_window)`},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.params), func(t *testing.T) {
			got, err := ensemble.ParseParams(tc.params)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("ParseParams = %+v, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseParams = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
