package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBenchNAB runs bench nab on a two-file corpus, then through its
// errors: each names what was wrong.
func TestBenchNAB(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "nab")
	writeFile(t, mkdir(t, data, "data", "a"), "x.csv", "timestamp,value\n"+nabRows(400, 300))
	writeFile(t, mkdir(t, data, "labels"), "combined_windows.json", `{"a/x.csv": [["2014-04-02 01:00:00.000000", "2014-04-02 03:00:00.000000"]]}`)
	cfg := writeFile(t, dir, "pipeline.yaml", "detector: {type: ewma}\ndecision: {threshold: 0.9999}\n")
	bad := writeFile(t, dir, "bad.yaml", "detector: {type: ewma}\ndecision: {treshold: 0.9}\n")
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		name          string
		args          []string
		usage         bool
		wantErr, want string
	}{
		{name: "ok", args: []string{"--data", data, "--out", out, "--config", cfg}, want: "NAB corpus: 1 files, 400 rows, 1 windows; detector ewma"},
		{name: "detector flag", args: []string{"--data", data, "--out", out, "--detector", "ewma", "--param", "alpha=0.1"}, want: "detector ewma"},
		{name: "default detector", args: []string{"--data", data, "--out", out}, want: "detector surprise"},
		{name: "detector over config", args: []string{"--data", data, "--out", out, "--config", cfg, "--detector", "zscore"}, want: "detector zscore"},
		{name: "unknown detector over config", args: []string{"--data", data, "--out", out, "--config", cfg, "--detector", "nope"}, usage: true, wantErr: `unknown detector "nope"`},
		{name: "missing --data", args: []string{"--out", out}, usage: true, wantErr: "bench nab: --data and --out are required"},
		{name: "missing data folder", args: []string{"--data", filepath.Join(dir, "none"), "--out", out}, wantErr: "none: no data folder"},
		{name: "unknown detector", args: []string{"--data", data, "--out", out, "--detector", "nope"}, usage: true, wantErr: `unknown detector "nope"`},
		{name: "param without detector", args: []string{"--data", data, "--out", out, "--param", "alpha=0.1"}, usage: true, wantErr: "--param needs --detector"},
		{name: "bad config", args: []string{"--data", data, "--out", out, "--config", bad}, usage: true, wantErr: `unknown key "treshold"`},
		{name: "bench without nab", args: nil, usage: true, wantErr: `bench: the command is "bench nab"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"bench", "nab"}, tc.args...)
			if tc.args == nil {
				args = []string{"bench"}
			}
			err := run(t.Context(), args, &stdout, &stderr)
			var ue usageError
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("run = %v\nstderr:\n%s", err, stderr.String())
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("run = %v, want an error containing %q", err, tc.wantErr)
			case err != nil && errors.As(err, &ue) != tc.usage:
				t.Errorf("usage error (exit 2) = %v, want %v: %v", !tc.usage, tc.usage, err)
			case !strings.Contains(stdout.String(), tc.want):
				t.Errorf("stdout lacks %q:\n%s", tc.want, stdout.String())
			}
		})
	}
	if _, err := os.Stat(filepath.Join(out, "ewma", "a", "ewma_x.csv")); err != nil {
		t.Errorf("results not written: %v", err)
	}
}

// nabRows returns n rows 5 minutes apart from 2014-04-01, flat at 1 with a
// small wobble, and a jump to 40 at row spike.
func nabRows(n, spike int) string {
	start := time.Date(2014, 4, 1, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	for i := range n {
		v := 1 + 0.01*float64(i%7)
		if i == spike {
			v = 40
		}
		fmt.Fprintf(&b, "%s,%v\n", start.Add(time.Duration(i)*5*time.Minute).Format("2006-01-02 15:04:05"), v)
	}
	return b.String()
}

func mkdir(t *testing.T, elem ...string) string {
	t.Helper()
	dir := filepath.Join(elem...)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
