package threshold_test

import (
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/threshold"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		policy  string
		params  map[string]string
		want    float64 // Threshold() right after construction; NaN while calibrating
		wantErr string
	}{
		{name: "fixed", policy: "fixed", params: map[string]string{"threshold": "0.7"}, want: 0.7},
		{name: "fixed one", policy: "fixed", params: map[string]string{"threshold": "1"}, want: 1},
		{name: "fixed missing", policy: "fixed", wantErr: "threshold policy fixed: param threshold is required"},
		{name: "fixed zero", policy: "fixed", params: map[string]string{"threshold": "0"}, wantErr: "threshold policy fixed: threshold 0 out of range: must be in (0, 1]"},
		{name: "fixed above one", policy: "fixed", params: map[string]string{"threshold": "1.5"}, wantErr: "threshold policy fixed: threshold 1.5 out of range: must be in (0, 1]"},
		{name: "fixed NaN", policy: "fixed", params: map[string]string{"threshold": "NaN"}, wantErr: `threshold policy fixed: param threshold="NaN": want a number`},
		{name: "fixed not a number", policy: "fixed", params: map[string]string{"threshold": "high"}, wantErr: `threshold policy fixed: param threshold="high": want a number`},
		{name: "quantile defaults", policy: "quantile", want: math.NaN()},
		{name: "quantile q one", policy: "quantile", params: map[string]string{"q": "1"}, wantErr: "threshold policy quantile: q 1 out of range: must be in (0, 1)"},
		{name: "quantile q negative", policy: "quantile", params: map[string]string{"q": "-0.5"}, wantErr: "threshold policy quantile: q -0.5 out of range: must be in (0, 1)"},
		{name: "quantile window small", policy: "quantile", params: map[string]string{"window": "1"}, wantErr: "threshold policy quantile: window 1 out of range: must be 2..1048576"},
		{name: "quantile window float", policy: "quantile", params: map[string]string{"window": "1e4"}, wantErr: `threshold policy quantile: param window="1e4": want an integer`},
		{name: "quantile min_samples over window", policy: "quantile", params: map[string]string{"window": "10", "min_samples": "11"}, wantErr: "threshold policy quantile: min_samples 11 out of range: must be 1..window (10)"},
		{name: "quantile default min_samples capped", policy: "quantile", params: map[string]string{"window": "10"}, want: math.NaN()},
		{name: "quantile unknown key", policy: "quantile", params: map[string]string{"quantile": "0.9"}, wantErr: `threshold policy quantile: unknown param "quantile" (known: min_samples, q, window)`},
		{name: "spot defaults", policy: "spot", want: math.NaN()},
		{name: "spot risk over 1-level", policy: "spot", params: map[string]string{"risk": "0.05"}, wantErr: "threshold policy spot: risk 0.05 out of range: must be in (0, 1−level) = (0, 0.020000000000000018)"},
		{name: "spot level one", policy: "spot", params: map[string]string{"level": "1"}, wantErr: "threshold policy spot: level 1 out of range: must be in (0, 1)"},
		{name: "spot init small", policy: "spot", params: map[string]string{"init": "9"}, wantErr: "threshold policy spot: init 9 out of range: must be 10..1048576"},
		{name: "spot depth unknown", policy: "spot", params: map[string]string{"depth": "5"}, wantErr: `threshold policy spot: unknown param "depth" (known: init, level, risk)`},
		{name: "dspot depth", policy: "dspot", params: map[string]string{"depth": "5"}, want: math.NaN()},
		{name: "dspot depth too large", policy: "dspot", params: map[string]string{"depth": "1001"}, wantErr: "threshold policy dspot: depth 1001 out of range: must be 0..1000"},
		{name: "dspot depth negative", policy: "dspot", params: map[string]string{"depth": "-1"}, wantErr: "threshold policy dspot: depth -1 out of range: must be 0..1000"},
		{name: "first unknown key sorted", policy: "dspot", params: map[string]string{"z": "1", "b": "1"}, wantErr: `threshold policy dspot: unknown param "b" (known: depth, init, level, risk)`},
		{name: "unknown policy", policy: "pot", wantErr: "threshold policy pot: unknown policy (known: dspot, fixed, quantile, spot)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := threshold.Parse(tc.policy, tc.params)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Parse error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := p.Threshold(); got != tc.want && !(math.IsNaN(got) && math.IsNaN(tc.want)) {
				t.Errorf("Threshold() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNewOptionErrors(t *testing.T) {
	tests := []struct {
		name    string
		build   func() (threshold.Policy, error)
		wantErr string
	}{
		{"fixed negative", func() (threshold.Policy, error) { return threshold.NewFixed(-1) }, "threshold -1 out of range: must be in (0, 1]"},
		{"quantile window huge", func() (threshold.Policy, error) {
			return threshold.NewQuantile(threshold.QuantileOptions{Window: 1<<20 + 1})
		}, "window 1048577 out of range: must be 2..1048576"},
		{"quantile min_samples negative", func() (threshold.Policy, error) {
			return threshold.NewQuantile(threshold.QuantileOptions{MinSamples: -1})
		}, "min_samples -1 out of range: must be 1..window (10000)"},
		{"spot risk negative", func() (threshold.Policy, error) {
			return threshold.NewSPOT(threshold.SPOTOptions{Risk: -1e-4})
		}, "risk -0.0001 out of range: must be in (0, 1−level) = (0, 0.020000000000000018)"},
		{"spot init huge", func() (threshold.Policy, error) {
			return threshold.NewSPOT(threshold.SPOTOptions{Init: 1<<20 + 1})
		}, "init 1048577 out of range: must be 10..1048576"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.build(); err == nil || err.Error() != tc.wantErr {
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
