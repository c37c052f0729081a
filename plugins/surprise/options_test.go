package surprise_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/surprise"
)

var defaults = surprise.Options{Short: 10, History: 8640, Learn: 288, RankWindow: 2000, Tolerance: 0.02, Refractory: 40, Peak: 30, Novelty: 750}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    surprise.Options
		want    surprise.Options
		wantErr string
	}{
		{name: "defaults", want: defaults},
		{name: "explicit", opts: surprise.Options{Short: 5, History: 1000, Learn: 50, RankWindow: 500, Tolerance: 0.1, Refractory: 3, Peak: 5},
			want: surprise.Options{Short: 5, History: 1000, Learn: 50, RankWindow: 500, Tolerance: 0.1, Refractory: 3, Peak: 5, Novelty: 750}},
		{name: "peak off", opts: surprise.Options{Peak: surprise.NoPeak}, want: surprise.Options{Short: 10, History: 8640, Learn: 288, RankWindow: 2000, Tolerance: 0.02, Refractory: 40, Peak: -1, Novelty: 750}},
		{name: "novelty off", opts: surprise.Options{Novelty: surprise.NoNovelty}, want: surprise.Options{Short: 10, History: 8640, Learn: 288, RankWindow: 2000, Tolerance: 0.02, Refractory: 40, Peak: 30, Novelty: -1}},
		{name: "novelty too short", opts: surprise.Options{Novelty: 111}, wantErr: "novelty 111 out of range: must be 112..65536, or off"},
		{name: "novelty too long", opts: surprise.Options{Novelty: 65537}, wantErr: "novelty 65537 out of range: must be 112..65536, or off"},
		{name: "peak too large", opts: surprise.Options{Peak: 1001}, wantErr: "peak 1001 out of range: must be 1..1000, or off"},
		{name: "peak negative", opts: surprise.Options{Peak: -2}, wantErr: "peak -2 out of range: must be 1..1000, or off"},
		{name: "short too large", opts: surprise.Options{Short: 1001}, wantErr: "short 1001 out of range: must be 1..1000"},
		{name: "short negative", opts: surprise.Options{Short: -1}, wantErr: "short -1 out of range: must be 1..1000"},
		{name: "history below short", opts: surprise.Options{Short: 20, History: 10}, wantErr: "history 10 out of range: must be short (20)..1048576"},
		{name: "learn 1", opts: surprise.Options{Learn: 1}, wantErr: "learn 1 out of range: must be 2..1048576"},
		{name: "rank window small", opts: surprise.Options{RankWindow: 99}, wantErr: "rank_window 99 out of range: must be 100..1048576"},
		{name: "tolerance negative", opts: surprise.Options{Tolerance: -0.1}, wantErr: "tolerance -0.1 out of range: must be > 0 and <= 10"},
		{name: "refractory negative", opts: surprise.Options{Refractory: -2}, wantErr: "refractory -2 out of range: must be 1..1048576"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckNew(t, surprise.New, tc.opts, tc.want, tc.wantErr) })
	}
}

func TestParseParams(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]string
		want    surprise.Options
		wantErr string
	}{
		{name: "nil", want: defaults},
		{name: "all", params: map[string]string{"short": "5", "history": "1000", "learn": "50", "rank_window": "500", "tolerance": "0.1", "refractory": "3", "peak": "7", "novelty": "1000"},
			want: surprise.Options{Short: 5, History: 1000, Learn: 50, RankWindow: 500, Tolerance: 0.1, Refractory: 3, Peak: 7, Novelty: 1000}},
		{name: "peak off", params: map[string]string{"peak": "off"}, want: surprise.Options{Short: 10, History: 8640, Learn: 288, RankWindow: 2000, Tolerance: 0.02, Refractory: 40, Peak: -1, Novelty: 750}},
		{name: "novelty off", params: map[string]string{"novelty": "off"}, want: surprise.Options{Short: 10, History: 8640, Learn: 288, RankWindow: 2000, Tolerance: 0.02, Refractory: 40, Peak: 30, Novelty: -1}},
		{name: "novelty word", params: map[string]string{"novelty": "on"}, wantErr: `param novelty="on": want an integer or off`},
		{name: "peak word", params: map[string]string{"peak": "on"}, wantErr: `param peak="on": want an integer or off`},
		{name: "unknown", params: map[string]string{"alpha": "1"}, wantErr: `unknown param "alpha" (known: history, learn, novelty, peak, rank_window, refractory, short, tolerance)`},
		{name: "not an integer", params: map[string]string{"short": "1.5"}, wantErr: `param short="1.5": want an integer`},
		{name: "not a number", params: map[string]string{"tolerance": "wide"}, wantErr: `param tolerance="wide": want a finite number`},
		{name: "out of range", params: map[string]string{"learn": "1"}, wantErr: "learn 1 out of range: must be 2..1048576"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { detectortest.CheckParse(t, surprise.ParseParams, tc.params, tc.want, tc.wantErr) })
	}
}

func TestNewDim(t *testing.T) {
	if _, err := mustFactory(t, surprise.Options{}).New(2); err == nil {
		t.Error("New(2) accepted a univariate detector's wrong dimension")
	}
}
