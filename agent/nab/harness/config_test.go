package harness_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/nab/harness"
)

func TestReadPipeline(t *testing.T) {
	p, err := harness.ReadPipeline("testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Detector.Type != "ewma" || p.Detector.Params["alpha"] != "0.1" || p.Decision.Threshold != 0.99 ||
		p.Decision.ClearAfter != 5 || p.Decision.Consecutive != 1 || p.Decision.Policy != "fixed" {
		t.Errorf("ReadPipeline = %+v", p)
	}
	d := harness.DefaultPipeline()
	if d.Detector.Type != "surprise" || d.Decision.Threshold != 0.5 || d.Decision.ClearAfter != 10 {
		t.Errorf("DefaultPipeline = %+v, want surprise at its 0.5 under the agent's decision", d)
	}
	z, err := harness.PipelineFor("zscore", map[string]string{"window": "64"})
	if err != nil || z.Detector.Params["window"] != "64" || z.Decision.Threshold != 0.999 {
		t.Errorf("PipelineFor(zscore) = %+v, %v; want zscore at the agent's 0.999", z, err)
	}
	if _, err := harness.PipelineFor("nope", nil); err == nil || !strings.Contains(err.Error(), `unknown detector "nope"`) {
		t.Errorf("PipelineFor(nope): %v", err)
	}
}

func TestReadPipelineBad(t *testing.T) {
	wantErr := map[string]string{
		"unknown_key.bad.yaml":      `unknown key "treshold"`,
		"inputs.bad.yaml":           "inputs: the NAB harness reads the corpus' files; give only detector and decision",
		"unknown_detector.bad.yaml": `unknown detector "zscores"`,
		"bad_param.bad.yaml":        "alpha 2 out of range",
		"missing.yaml":              "read pipeline: open testdata/missing.yaml: no such file",
	}
	for name, want := range wantErr {
		_, err := harness.ReadPipeline(filepath.Join("testdata", name))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err %v, want one containing %q", name, err, want)
		}
	}
	bad, _ := filepath.Glob("testdata/*.bad.yaml")
	for _, b := range bad {
		if _, ok := wantErr[filepath.Base(b)]; !ok {
			t.Errorf("%s has no expected error in this test", b)
		}
	}
}
