package detectors_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/detectors"
	"github.com/pynomaly/pynomaly/plugins/zscore"
)

func TestNames(t *testing.T) {
	names := detectors.Names()
	if !slices.IsSorted(names) || !slices.Contains(names, detectors.Default) {
		t.Errorf("Names() = %v, want sorted and holding the default %q", names, detectors.Default)
	}
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name    string
		typ     string
		params  map[string]string
		want    zscore.Options // for a good build
		wantErr string
	}{
		{name: "defaults", typ: "zscore", want: zscore.Options{Window: zscore.DefaultWindow, MinSamples: zscore.DefaultMinSamples}},
		{name: "params", typ: "zscore", params: map[string]string{"window": "64", "min_samples": "8"}, want: zscore.Options{Window: 64, MinSamples: 8}},
		{name: "unknown type", typ: "iforest", wantErr: `unknown detector "iforest" (built in: zscore)`},
		{name: "empty type", typ: "", wantErr: `unknown detector ""`},
		{name: "unknown param", typ: "zscore", params: map[string]string{"windw": "64"}, wantErr: `detector zscore: unknown param "windw"`},
		{name: "non-integer param", typ: "zscore", params: map[string]string{"window": "1e3"}, wantErr: `detector zscore: param window="1e3": want an integer`},
		{name: "param out of range", typ: "zscore", params: map[string]string{"window": "4"}, wantErr: "detector zscore: window 4 out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := detectors.Build(tc.typ, tc.params)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Build = %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			z, ok := f.(*zscore.Factory)
			if !ok {
				t.Fatalf("Build = %T, want *zscore.Factory", f)
			}
			if f.Info().Name != tc.typ || z.Options() != tc.want {
				t.Errorf("Build = %q %+v, want %q %+v", f.Info().Name, z.Options(), tc.typ, tc.want)
			}
		})
	}
}
