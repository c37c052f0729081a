package detectors_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/detectors"
	"github.com/pynomaly/pynomaly/plugins/sdk"
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
		{name: "unknown type", typ: "nope", wantErr: `unknown detector "nope" (built in: ensemble, ewma, hbos, hst, iforest, kmeans, pca, seasonal, surprise, zscore)`},
		{name: "fit_rows on a streaming detector", typ: "zscore", params: map[string]string{"fit_rows": "100"}, wantErr: "fit_rows applies to batch detectors only"},
		{name: "fit_rows not a number", typ: "iforest", params: map[string]string{"fit_rows": "many"}, wantErr: `detector iforest: fit_rows "many": want an integer of at least 2`},
		{name: "fit_rows too small", typ: "iforest", params: map[string]string{"fit_rows": "1"}, wantErr: `fit_rows "1"`},
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

// TestEveryBuiltinBuilds: each registered detector builds with defaults, and
// batch detectors come out ready for a stream (fitted on their first rows).
func TestEveryBuiltinBuilds(t *testing.T) {
	required := map[string]map[string]string{"seasonal": {"season": "24"}}
	for _, name := range detectors.Names() {
		if name == detectors.Ensemble {
			continue // TestBuildSpec
		}
		t.Run(name, func(t *testing.T) {
			raw, fitRows, err := detectors.Lookup(name, required[name])
			if err != nil {
				t.Fatal(err)
			}
			live, err := detectors.Build(name, required[name])
			if err != nil {
				t.Fatal(err)
			}
			if live.Info().Name != name || live.Info().Kind != sdk.Streaming {
				t.Errorf("Build(%s).Info() = %+v, want a streaming detector named %s", name, live.Info(), name)
			}
			wantRows := 0
			if raw.Info().Kind == sdk.Batch {
				wantRows = detectors.DefaultFitRows
			}
			if fitRows != wantRows {
				t.Errorf("Lookup fit rows = %d, want %d", fitRows, wantRows)
			}
		})
	}
}

func TestLookupFitRows(t *testing.T) {
	f, n, err := detectors.Lookup("iforest", map[string]string{"fit_rows": "64", "trees": "10"})
	if err != nil || n != 64 || f.Info().Kind != sdk.Batch {
		t.Fatalf("Lookup = %v, %d, %v; want a batch iforest and 64 rows", f, n, err)
	}
}

func TestBuildSpec(t *testing.T) {
	z, fit := detectors.Spec{Type: "zscore"}, detectors.Spec{Type: "iforest", Params: map[string]string{"fit_rows": "50"}}
	tests := []struct {
		name    string
		spec    detectors.Spec
		wantErr string
	}{
		{name: "ensemble of a streaming and a batch detector", spec: detectors.Spec{Type: "ensemble", Params: map[string]string{"method": "max"}, Members: []detectors.Spec{z, fit}}},
		{name: "nested ensemble", spec: detectors.Spec{Type: "ensemble", Members: []detectors.Spec{z, {Type: "ensemble", Members: []detectors.Spec{z, {Type: "ewma"}}}}}},
		{name: "plain detector", spec: z},
		{name: "one member", spec: detectors.Spec{Type: "ensemble", Members: []detectors.Spec{z}}, wantErr: "detector ensemble: members: 1 listed, want at least 2"},
		{name: "bad member", spec: detectors.Spec{Type: "ensemble", Members: []detectors.Spec{z, {Type: "zscore", Params: map[string]string{"window": "4"}}}}, wantErr: "members[1]: detector zscore: window 4 out of range"},
		{name: "unknown member", spec: detectors.Spec{Type: "ensemble", Members: []detectors.Spec{{Type: "nope"}, z}}, wantErr: `members[0]: unknown detector "nope"`},
		{name: "bad method", spec: detectors.Spec{Type: "ensemble", Params: map[string]string{"method": "median"}, Members: []detectors.Spec{z, z}}, wantErr: `detector ensemble: unknown method "median"`},
		{name: "members on a non-ensemble", spec: detectors.Spec{Type: "zscore", Members: []detectors.Spec{z, z}}, wantErr: "members: detector zscore is not an ensemble; only type ensemble takes members"},
		{name: "ensemble by Lookup", spec: detectors.Spec{Type: "ensemble"}, wantErr: "detector ensemble: members: 0 listed, want at least 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := detectors.BuildSpec(tc.spec)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("BuildSpec = %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Info().Name != tc.spec.Type || f.Info().Kind != sdk.Streaming {
				t.Fatalf("BuildSpec.Info() = %+v, want a streaming %s", f.Info(), tc.spec.Type)
			}
			d, err := f.New(1)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 200 {
				if _, err := d.Score([]float64{float64(i % 7)}); err != nil {
					t.Fatalf("Score %d: %v", i, err)
				}
			}
		})
	}
	if _, _, err := detectors.Lookup("ensemble", nil); err == nil || !strings.Contains(err.Error(), "give its members") {
		t.Errorf("Lookup(ensemble) = %v, want an error asking for members", err)
	}
}
