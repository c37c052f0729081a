package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/detectors"
)

// TestModelBuild: the model a file teaches restores into the detector an
// input with the same detector section builds, and nothing else.
func TestModelBuild(t *testing.T) {
	dir := t.TempDir()
	data := writeFile(t, dir, "data.csv", spikyCSV(300))
	out := filepath.Join(dir, "model.bin")
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"model", "build", "--input", data, "--columns", "temperature",
		"--detector", "zscore", "--param", "window=64", "--out", out}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("model build: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "learned from 300 rows") {
		t.Errorf("output %q", stdout.String())
	}
	model, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	restore := func(params map[string]string) error {
		f, err := detectors.BuildSpec(detectors.Spec{Type: "zscore", Params: params})
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.New(1)
		if err != nil {
			t.Fatal(err)
		}
		return d.UnmarshalBinary(model)
	}
	if err := restore(map[string]string{"window": "64"}); err != nil {
		t.Errorf("model does not restore into the same detector: %v", err)
	}
	if err := restore(map[string]string{"window": "64", "min_samples": "10"}); err == nil {
		t.Errorf("model restored into a detector with other parameters")
	}

	// A batch detector's model is fitted: its fit_rows were in the file.
	batch := filepath.Join(dir, "iforest.bin")
	if err := run(t.Context(), []string{"model", "build", "--input", data, "--columns", "temperature,pressure", "--multivariate",
		"--detector", "iforest", "--param", "fit_rows=128", "--out", batch}, &stdout, &stderr); err != nil {
		t.Fatalf("multivariate iforest model: %v", err)
	}

	bad := writeFile(t, dir, "bad.csv", "timestamp,v\n2025-01-01T00:00:00Z,x\n")
	for _, tc := range []struct {
		args  []string
		want  string
		usage bool
	}{
		{[]string{"model", "build", "--input", data, "--out", out}, "--input, --columns and --out are required", true},
		{[]string{"model", "build", "--input", data, "--columns", "temperature,pressure", "--out", out}, "a univariate model learns one column, not 2", false},
		{[]string{"model", "build", "--input", bad, "--columns", "v", "--out", out}, "no valid rows to learn from", false},
		{[]string{"model", "build", "--input", data, "--columns", "temperature", "--detector", "nosuch", "--out", out}, `unknown detector "nosuch"`, true},
		{[]string{"model", "build", "--input", data, "--columns", "nosuch", "--out", out}, "nosuch", false},
		{[]string{"model", "train"}, `the command is "model build"`, true},
	} {
		err := run(t.Context(), tc.args, &stdout, &stderr)
		var ue usageError
		if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.usage != errors.As(err, &ue)) {
			t.Errorf("%v: %v (usage error: %v), want %q (usage: %v)", tc.args, err, errors.As(err, &ue), tc.want, tc.usage)
		}
	}
}
