package main

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/pynomaly/pynomaly/agent/detectors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// spikyCSV returns n rows of timestamp,temperature,pressure: bounded
// oscillations, temperature 50 higher at the spike rows.
func spikyCSV(n int, spikes ...int) string {
	var b strings.Builder
	b.WriteString("timestamp,temperature,pressure\n")
	for i := range n {
		temp := 20 + math.Sin(float64(i)*0.7)
		for _, s := range spikes {
			if s == i {
				temp += 50
			}
		}
		fmt.Fprintf(&b, "%s,%v,%v\n", t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339), temp, 5+math.Cos(float64(i)*1.3))
	}
	return b.String()
}

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// agentConfig is a valid configuration reading csv, plus extra YAML.
func agentConfig(dataDir, url, listen, csv, extra string) string {
	return fmt.Sprintf("agent:\n  id: edge-1\n  data_dir: %s\ncontrol_plane:\n  url: %s\n  token: tok\n  heartbeat_interval: 200ms\n"+
		"http:\n  listen: %s\nlog:\n  level: debug\n  format: json\ninputs:\n  - name: machine\n    labels: {site: a}\n    file:\n      path: %s\n"+
		"detector:\n  params: {window: 64, min_samples: 16}\n%s", dataDir, url, listen, csv, extra)
}

func TestRunCommands(t *testing.T) {
	dir := t.TempDir()
	data := writeFile(t, dir, "data.csv", spikyCSV(100, 40, 80))
	mixed := writeFile(t, dir, "mixed.csv", "timestamp,v\n2025-01-01T00:00:00Z,1\n2025-01-01T00:00:01Z,1,2\n2025-01-01T00:00:02Z,abc\n2025-01-01T00:00:03Z,2\n")
	onlyBad := writeFile(t, dir, "bad.csv", "timestamp,v\n2025-01-01T00:00:00Z,x\nnot-a-time,1\n")
	manyBad := writeFile(t, dir, "many.csv", "timestamp,v\n2025-01-01T00:00:00Z,1\n"+strings.Repeat("2025-01-01T00:00:01Z,x\n", 25))
	goodCfg := writeFile(t, dir, "agent.yaml", agentConfig(dir, "nats://127.0.0.1:4222", "off", data, ""))
	badCfg := writeFile(t, dir, "bad.yaml", agentConfig(dir, "nats://127.0.0.1:4222", "off", data, "decision:\n  treshold: 0.9\n"))
	outFile := filepath.Join(dir, "out.csv")
	missing := filepath.Join(dir, "missing.csv")
	notExec := writeFile(t, dir, "not-exec", "#!/bin/sh\n")
	pluginCfg := writeFile(t, dir, "plugins.yaml", agentConfig(dir, "nats://127.0.0.1:4222", "off", data,
		"plugins:\n  - {name: gone, path: "+missing+"}\n  - {name: plain, path: "+notExec+"}\n"))

	// Inputs of every kind: an MQTT input has no file to look for.
	kindsCfg := writeFile(t, dir, "kinds.yaml", strings.Replace(agentConfig(dir, "nats://127.0.0.1:4222", "off", data, ""),
		"detector:", `  - name: plant
    mqtt: {brokers: ["mqtt://127.0.0.1:1883"], topics: [{filter: plant/#}], payload: {format: number}}
  - name: logs
    file: {path: "`+dir+`/nothing-*.csv"}
detector:`, 1))

	tests := []struct {
		name    string
		args    []string
		usage   bool   // the error is a usageError (exit status 2)
		wantErr string // "" means run returns nil
		// wantOut and wantStderr must appear in stdout and stderr.
		wantOut, wantStderr string
	}{
		{name: "no command", args: nil, usage: true, wantErr: "no command given", wantStderr: "Usage:"},
		{name: "unknown command", args: []string{"frobnicate"}, usage: true, wantErr: `unknown command "frobnicate"`, wantStderr: "Usage:"},
		{name: "version", args: []string{"version"}, wantOut: "pynomaly-agent dev"},
		{name: "help", args: []string{"help"}, wantOut: "Usage:"},

		{name: "detect", args: []string{"detect", "--input", data, "--param", "window=64"},
			wantOut: "timestamp,temperature,pressure,score,anomaly\n", wantStderr: "scored 100 rows: 2 anomalies, 0 lines skipped"},
		{name: "detect to a file", args: []string{"detect", "--input", data, "--output", outFile}, wantStderr: "scored 100 rows"},
		{name: "detect help", args: []string{"detect", "--help"}, wantStderr: "-input string"},
		{name: "missing --input", args: []string{"detect"}, usage: true, wantErr: "detect: --input is required"},
		{name: "missing file", args: []string{"detect", "--input", missing}, wantErr: missing + ": no such file or directory"},
		{name: "unknown detector", args: []string{"detect", "--input", data, "--detector", "nope"}, usage: true, wantErr: `unknown detector "nope" (built in: ` + strings.Join(detectors.Names(), ", ") + ")"},
		{name: "ensemble without members", args: []string{"detect", "--input", data, "--detector", "ensemble"}, usage: true, wantErr: "detector ensemble: members: 0 listed, want at least 2"},
		{name: "members without ensemble", args: []string{"detect", "--input", data, "--member", "ewma", "--member", "hst"}, usage: true, wantErr: "members: detector zscore is not an ensemble"},
		{name: "bad member", args: []string{"detect", "--input", data, "--detector", "ensemble", "--member", "ewma:alpha"}, usage: true, wantErr: `invalid value "ewma:alpha" for flag -member: "ewma:alpha": "alpha": want key=value`},
		{name: "batch detector without fit rows", args: []string{"detect", "--input", data, "--detector", "iforest"}, usage: true, wantErr: "iforest is a batch detector: give --fit-rows N"},
		{name: "fit rows for a streaming detector", args: []string{"detect", "--input", data, "--fit-rows", "10"}, usage: true, wantErr: "--fit-rows applies to batch detectors; zscore learns as it scores"},
		{name: "fit_rows as a param", args: []string{"detect", "--input", data, "--detector", "iforest", "--param", "fit_rows=10"}, usage: true, wantErr: "with --fit-rows, not --param fit_rows"},
		{name: "missing plugin", args: []string{"detect", "--input", data, "--plugin", "/nonexistent/plug"}, wantErr: "/nonexistent/plug"},
		{name: "plugin refuses params", args: []string{"detect", "--input", data, "--plugin", buildSpikePlugin(t), "--param", "alpha=0.1"}, usage: true, wantErr: "spike takes no params, got alpha"},
		{name: "param without value", args: []string{"detect", "--input", data, "--param", "window"}, usage: true, wantErr: `"window": want key=value`},
		{name: "param not an integer", args: []string{"detect", "--input", data, "--param", "window=big"}, usage: true, wantErr: `param window="big": want an integer`},
		{name: "unknown param", args: []string{"detect", "--input", data, "--param", "colour=1"}, usage: true, wantErr: `unknown param "colour"`},
		{name: "threshold above 1", args: []string{"detect", "--input", data, "--threshold", "1.5"}, usage: true, wantErr: "--threshold 1.5: want a value in (0, 1]"},
		{name: "threshold 0", args: []string{"detect", "--input", data, "--threshold", "0"}, usage: true, wantErr: "--threshold 0: want a value in (0, 1]"},
		{name: "unknown policy", args: []string{"detect", "--input", data, "--policy", "pot"}, usage: true, wantErr: "threshold policy pot: unknown policy (known: dspot, fixed, quantile, spot)"},
		{name: "bad policy param", args: []string{"detect", "--input", data, "--policy", "spot", "--policy-param", "risk=lots"}, usage: true, wantErr: `threshold policy spot: param risk="lots": want a number`},
		{name: "policy param for fixed", args: []string{"detect", "--input", data, "--policy-param", "risk=0.1"}, usage: true, wantErr: "--policy-param: policy fixed takes none; set --threshold"},
		{name: "threshold not a number", args: []string{"detect", "--input", data, "--threshold", "high"}, usage: true, wantErr: `invalid value "high" for flag -threshold`},
		{name: "separator too long", args: []string{"detect", "--input", data, "--separator", ";;"}, usage: true, wantErr: `--separator ";;": want one character`},
		{name: "separator a quote", args: []string{"detect", "--input", data, "--separator", `"`}, usage: true, wantErr: `--separator "\"": want one character`},
		{name: "unknown format", args: []string{"detect", "--input", data, "--format", "xml"}, usage: true, wantErr: `unknown input format "xml"`},
		{name: "unknown flag", args: []string{"detect", "--inptu", data}, usage: true, wantErr: "flag provided but not defined: -inptu"},
		{name: "extra argument", args: []string{"detect", "--input", data, "extra"}, usage: true, wantErr: `unexpected argument "extra"`},
		{name: "bad rows skipped", args: []string{"detect", "--input", mixed},
			wantOut:    "2025-01-01T00:00:03Z,2,",
			wantStderr: "skipped: line 3: 3 fields, header has 2 columns\nskipped: line 4: column \"v\": "},
		{name: "bad lines beyond 20 summed up", args: []string{"detect", "--input", manyBad}, wantStderr: "… and 5 more bad lines\nscored 1 rows"},
		{name: "only bad rows", args: []string{"detect", "--input", onlyBad}, wantErr: "no valid rows to score", wantStderr: "skipped: line 3:"},

		{name: "check-config", args: []string{"check-config", "--config", goodCfg}, wantOut: "configuration OK: agent edge-1, 1 input(s), detector zscore"},
		{name: "check-config bad", args: []string{"check-config", "--config", badCfg}, usage: true, wantErr: badCfg + `:21: unknown key "treshold" (did you mean "threshold"?)`},
		{name: "check-config warns about plugins", args: []string{"check-config", "--config", pluginCfg},
			wantOut: "warning: plugin gone: stat " + missing + ": no such file or directory (inputs using it will wait for it)\nwarning: plugin plain: " + notExec + " is not an executable file (chmod +x)"},
		{name: "check-config with an MQTT input and a pattern", args: []string{"check-config", "--config", kindsCfg},
			wantOut: "configuration OK: agent edge-1, 3 input(s), detector zscore"},
		{name: "check-config warns about a pattern matching nothing", args: []string{"check-config", "--config", kindsCfg},
			wantOut: "warning: input logs: no file matches " + dir + "/nothing-*.csv yet (run will wait for one)"},
		{name: "check-config missing", args: []string{"check-config", "--config", missing}, usage: true, wantErr: missing + ": no such file or directory"},
		{name: "run bad config", args: []string{"run", "--config", badCfg}, usage: true, wantErr: badCfg + ":21: unknown key"},
		{name: "run unknown flag", args: []string{"run", "--confg", goodCfg}, usage: true, wantErr: "flag provided but not defined: -confg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), tc.args, &stdout, &stderr)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("run = %v, want nil\nstderr:\n%s", err, stderr.String())
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("run = %v, want an error containing %q", err, tc.wantErr)
			}
			var ue usageError
			if err != nil && errors.As(err, &ue) != tc.usage {
				t.Errorf("usage error (exit 2) = %v, want %v: %v", !tc.usage, tc.usage, err)
			}
			if !strings.Contains(stdout.String(), tc.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tc.wantOut, stdout.String())
			}
			if !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantStderr, stderr.String())
			}
		})
	}
}

func TestDetectOutput(t *testing.T) {
	dir := t.TempDir()
	data := writeFile(t, dir, "data.csv", spikyCSV(100, 40, 80))
	tests := []struct {
		name   string
		args   []string
		header string
	}{
		{"zscore per column", []string{"--columns", "temperature"}, "timestamp,temperature,score,anomaly"},
		{"iforest multivariate, fitted on the first rows", []string{"--detector", "iforest", "--fit-rows", "60", "--threshold", "0.7", "--param", "seed=3"},
			"timestamp,temperature,pressure,score,anomaly"},
		{"plugin", []string{"--plugin", buildSpikePlugin(t), "--columns", "temperature", "--threshold", "0.99"}, "timestamp,temperature,score,anomaly"},
		{"plugin with params", []string{"--plugin", buildExamplePlugin(t, "band"), "--param", "low=0", "--param", "high=40", "--columns", "temperature"},
			"timestamp,temperature,score,anomaly"},
		{"ensemble", []string{"--detector", "ensemble", "--param", "method=mean", "--member", "ewma", "--member", "hbos:fit_rows=30", "--columns", "temperature"},
			"timestamp,temperature,score,anomaly"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.csv")
			var stdout, stderr bytes.Buffer
			args := append([]string{"detect", "--input", data, "--output", out}, tc.args...)
			if err := run(t.Context(), args, &stdout, &stderr); err != nil {
				t.Fatalf("run: %v\n%s", err, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout with --output: %q", stdout.String())
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			if lines[0] != tc.header || len(lines) != 101 {
				t.Fatalf("output: header %q and %d rows, want %s and 100", lines[0], len(lines)-1, tc.header)
			}
			var anomalies []int
			for i, l := range lines[1:] {
				if strings.HasSuffix(l, ",true") {
					anomalies = append(anomalies, i)
				}
			}
			if fmt.Sprint(anomalies) != "[40 80]" {
				t.Errorf("anomalies at rows %v, want [40 80]", anomalies)
			}
		})
	}
}

// TestDetectLearnedThreshold: --policy spot learns the threshold from the
// scores after the detector's warm-up and a 100-score calibration.
func TestDetectLearnedThreshold(t *testing.T) {
	data := writeFile(t, t.TempDir(), "data.csv", spikyCSV(400, 250, 350))
	var stdout, stderr bytes.Buffer
	args := []string{"detect", "--input", data, "--columns", "temperature", "--policy", "spot", "--policy-param", "init=100", "--policy-param", "risk=1e-3"}
	if err := run(t.Context(), args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	var anomalies []int
	for i, l := range strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")[1:] {
		if strings.HasSuffix(l, ",true") {
			anomalies = append(anomalies, i)
		}
	}
	if fmt.Sprint(anomalies) != "[250 350]" {
		t.Errorf("anomalies at rows %v, want [250 350]", anomalies)
	}
}

// buildSpikePlugin builds the example detector plugin for this test run.
func buildSpikePlugin(t *testing.T) string { return buildExamplePlugin(t, "spike") }

// buildExamplePlugin builds plugins/examples/<name> for this test run.
func buildExamplePlugin(t *testing.T, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	out, err := exec.Command("go", "build", "-o", bin, "github.com/pynomaly/pynomaly/plugins/examples/"+name).CombinedOutput()
	if err != nil {
		t.Fatalf("build the %s plugin: %v\n%s", name, err, out)
	}
	return bin
}
