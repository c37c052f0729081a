package config_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/config"
)

// TestWithPipeline: a desired pipeline replaces the sections it has, keeps
// the file's others, and leaves the file's configuration untouched.
func TestWithPipeline(t *testing.T) {
	base, err := config.Load(filepath.Join("testdata", "good.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(filepath.Join("testdata", "other.csv"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := base.WithPipeline(`inputs:
  - name: other
    file: {path: ` + abs + `, columns: [v]}
decision:
  threshold: 0.9
`)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Inputs) != 1 || got.Inputs[0].Name != "other" || got.Decision.Threshold != 0.9 || got.Decision.Severity != "warning" {
		t.Errorf("inputs %+v, decision %+v: want input other, threshold 0.9, default severity", got.Inputs, got.Decision)
	}
	if got.Detector.Type != base.Detector.Type || got.Agent != base.Agent || got.ControlPlane != base.ControlPlane {
		t.Errorf("sections the pipeline lacks changed: detector %+v, agent %+v", got.Detector, got.Agent)
	}
	if len(base.Inputs) != 2 || base.Decision.Threshold != 0.99 {
		t.Errorf("the file's configuration changed: %d inputs, threshold %v", len(base.Inputs), base.Decision.Threshold)
	}
	// An empty document is the file's pipeline.
	same, err := base.WithPipeline("")
	if err != nil || len(same.Inputs) != 2 {
		t.Errorf("empty pipeline: %v, %d inputs", err, len(same.Inputs))
	}
}

func TestWithPipelineBad(t *testing.T) {
	base, err := config.Load(filepath.Join("testdata", "good.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ doc, want string }{
		{"inputs:\n  - name: x\n    file: {path: relative.csv}\n", `input x: file.path "relative.csv" must be absolute`},
		{"detector: {type: nosuch}\n", `desired pipeline: detector: unknown detector "nosuch"`},
		{"decision: {treshold: 0.9}\n", `desired pipeline:1: unknown key "treshold" (did you mean "threshold"?)`},
		{"agent: {id: other}\n", `unknown key "agent"`}, // identity stays with the host
		{"plugins: []\n", `unknown key "plugins"`},      // so do executables
		{"inputs: [\n", "desired pipeline:"},
	} {
		_, err := base.WithPipeline(tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("WithPipeline(%q) = %v, want an error containing %q", tc.doc, err, tc.want)
		}
	}
}
