package seasonal_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/seasonal"
)

// daily is the default Options for a daily season at five-minute steps.
var daily = seasonal.Options{Season: 288, Alpha: 0.1, Beta: 0.01, Gamma: 0.1, MADAlpha: 0.05, Clip: 5}

func TestNewOptions(t *testing.T) {
	with := func(f func(*seasonal.Options)) seasonal.Options { o := daily; f(&o); return o }
	tests := []struct {
		name    string
		opts    seasonal.Options
		want    seasonal.Options
		wantErr string
	}{
		{name: "defaults", opts: seasonal.Options{Season: 288}, want: daily},
		{name: "explicit", opts: seasonal.Options{Season: 7, Alpha: 0.3, Beta: 0.2, Gamma: 0.5, MADAlpha: 0.01, Clip: 3}, want: seasonal.Options{Season: 7, Alpha: 0.3, Beta: 0.2, Gamma: 0.5, MADAlpha: 0.01, Clip: 3}},
		{name: "smallest season", opts: seasonal.Options{Season: 2}, want: with(func(o *seasonal.Options) { o.Season = 2 })},
		{name: "largest season", opts: seasonal.Options{Season: 1 << 17}, want: with(func(o *seasonal.Options) { o.Season = 1 << 17 })},
		{name: "season missing", wantErr: "season is required: the period in samples, e.g. 288 for daily at 5-minute steps"},
		{name: "season 1", opts: seasonal.Options{Season: 1}, wantErr: "season 1 out of range: must be 2..131072"},
		{name: "season negative", opts: seasonal.Options{Season: -288}, wantErr: "season -288 out of range: must be 2..131072"},
		{name: "season too long", opts: seasonal.Options{Season: 1<<17 + 1}, wantErr: "season 131073 out of range: must be 2..131072"},
		{name: "alpha 1", opts: with(func(o *seasonal.Options) { o.Alpha = 1 }), wantErr: "alpha 1 out of range: must be > 0 and < 1"},
		{name: "beta negative", opts: with(func(o *seasonal.Options) { o.Beta = -0.1 }), wantErr: "beta -0.1 out of range: must be > 0 and < 1"},
		{name: "gamma too large", opts: with(func(o *seasonal.Options) { o.Gamma = 1.5 }), wantErr: "gamma 1.5 out of range: must be > 0 and < 1"},
		{name: "mad_alpha 1", opts: with(func(o *seasonal.Options) { o.MADAlpha = 1 }), wantErr: "mad_alpha 1 out of range: must be > 0 and < 1"},
		{name: "clip too small", opts: with(func(o *seasonal.Options) { o.Clip = 1 }), wantErr: "clip 1 out of range: must be 2..1000"},
		{name: "clip too large", opts: with(func(o *seasonal.Options) { o.Clip = 5000 }), wantErr: "clip 5000 out of range: must be 2..1000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckNew(t, seasonal.New, tc.opts, tc.want, tc.wantErr) })
	}
}

func TestParseParams(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]string
		want    seasonal.Options
		wantErr string
	}{
		{name: "season only", params: map[string]string{"season": "288"}, want: daily},
		{name: "all", params: map[string]string{"season": "7", "alpha": "0.3", "beta": "0.2", "gamma": "0.5", "mad_alpha": "0.01", "clip": "3"}, want: seasonal.Options{Season: 7, Alpha: 0.3, Beta: 0.2, Gamma: 0.5, MADAlpha: 0.01, Clip: 3}},
		{name: "zero means default", params: map[string]string{"season": "288", "alpha": "0"}, want: daily},
		{name: "nil", wantErr: "season is required: the period in samples, e.g. 288 for daily at 5-minute steps"},
		{name: "unknown key", params: map[string]string{"period": "288"}, wantErr: `unknown param "period" (known: alpha, beta, clip, gamma, mad_alpha, season)`},
		{name: "first bad key sorted", params: map[string]string{"season": "x", "beta": "y"}, wantErr: `param beta="y": want a finite number`},
		{name: "season not an integer", params: map[string]string{"season": "1d"}, wantErr: `param season="1d": want an integer`},
		{name: "gamma NaN", params: map[string]string{"season": "288", "gamma": "nan"}, wantErr: `param gamma="nan": want a finite number`},
		{name: "out of range", params: map[string]string{"season": "288", "alpha": "2"}, wantErr: "alpha 2 out of range: must be > 0 and < 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckParse(t, seasonal.ParseParams, tc.params, tc.want, tc.wantErr) })
	}
}

func TestReadmeExample(t *testing.T) {
	typ, params := detectortest.ReadmeParams(t)
	if typ != seasonal.Name {
		t.Errorf("README example has type %q, want %q", typ, seasonal.Name)
	}
	if _, err := seasonal.ParseParams(params); err != nil {
		t.Errorf("README example params %v: %v", params, err)
	}
}

func TestFactoryNew(t *testing.T) {
	f := mustFactory(t, seasonal.Options{Season: 24})
	if info := f.Info(); info != (sdk.Info{Name: "seasonal", Version: "1", Kind: sdk.Streaming, MaxDim: 1}) {
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
