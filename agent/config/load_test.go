package config_test

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pynomaly/pynomaly/agent/config"
)

func TestLoadGood(t *testing.T) {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "good.yaml"), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := config.Config{
		Agent:  config.Agent{ID: "edge-1", DataDir: filepath.Join(dir, "data")},
		Outbox: config.Outbox{MaxBytes: 3 << 29, MaxAge: 48 * time.Hour, OnFull: "pause"},
		ControlPlane: config.ControlPlane{URL: "nats://cp.example:4222",
			TokenFile: filepath.Join(dir, "secrets/token"), HeartbeatInterval: 2 * time.Second, DrainRate: 500, SyncWait: 3 * time.Second},
		HTTP: config.HTTP{Listen: "127.0.0.1:9999"},
		Log:  config.Log{Level: "debug", Format: "json"},
		Inputs: []config.Input{
			{Name: "machine", Labels: map[string]string{"site": "plant-a"}, File: &config.FileInput{
				Path: filepath.Join(dir, "machine.csv"), Format: "csv", TimestampColumn: "timestamp",
				Columns: []string{"temperature", "pressure"}, Separator: ";", Follow: true, Rate: 50,
				ReadFrom: "end", RotateWait: 2 * time.Second}},
			{Name: "events", File: &config.FileInput{Path: "/var/log/events.jsonl", Format: "jsonl",
				TimestampColumn: "ts", Columns: []string{"latency"}, ReadFrom: "beginning", RotateWait: 5 * time.Second}, Detector: &config.Detector{Type: "spike"}},
		},
		Detector: config.Detector{Type: "zscore", Params: map[string]string{"window": "128", "min_samples": "16"}},
		// consecutive and clear_after are unset in the file: defaults.
		Decision: config.Decision{Policy: "fixed", Threshold: 0.99, Consecutive: 1, ClearAfter: 10, Severity: "critical"},
		Plugins: []config.Plugin{{Name: "spike", Path: filepath.Join(dir, "plugins/spike")},
			{Name: "band", Path: filepath.Join(dir, "plugins/band"), Params: map[string]string{"low": "-40", "high": "85"}}},
	}
	if !reflect.DeepEqual(*cfg, want) {
		t.Errorf("Load =\n%+v\nwant\n%+v", *cfg, want)
	}

	// What Load produced, written out and read back, is the same config:
	// every field survives YAML under its own key.
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	again, err := config.Parse("roundtrip.yaml", out)
	if err != nil {
		t.Fatalf("Parse(Marshal(cfg)): %v\n%s", err, out)
	}
	if err := again.Validate(); err != nil {
		t.Fatalf("Validate after round trip: %v", err)
	}
	out2, err := yaml.Marshal(again)
	if err != nil {
		t.Fatal(err)
	}
	if string(out2) != string(out) {
		t.Errorf("round trip changed the config:\n%s\nwant\n%s", out2, out)
	}
}

func TestLoadMinimalDefaults(t *testing.T) {
	cfg, err := config.Parse("min.yaml", []byte("control_plane: {url: nats://h:4222}\ninputs: [{name: a, file: {path: /a.csv}}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"data_dir", cfg.Agent.DataDir, config.DefaultDataDir},
		{"heartbeat", cfg.ControlPlane.HeartbeatInterval, config.DefaultHeartbeatInterval},
		{"listen", cfg.HTTP.Listen, config.DefaultHTTPListen},
		{"log", cfg.Log, config.Log{Level: "info", Format: "auto"}},
		{"detector", cfg.Detector.Type, "zscore"},
		{"decision", cfg.Decision, config.Decision{Policy: "fixed", Threshold: 0.999, Consecutive: 1, ClearAfter: 10, Severity: "warning"}},
		{"format", cfg.Inputs[0].File.Format, "csv"},
		{"timestamp column", cfg.Inputs[0].File.TimestampColumn, "timestamp"},
		{"separator", cfg.Inputs[0].File.SeparatorRune(), ','},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if cfg.Agent.ID == "" {
		t.Error("agent.id not derived from the host name")
	}
}

func TestLoadEnv(t *testing.T) {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		env   []string
		check func(c *config.Config) (got, want any)
	}{
		{"agent id", []string{"PYNOMALY_AGENT_ID=from-env"},
			func(c *config.Config) (any, any) { return c.Agent.ID, "from-env" }},
		{"data dir stays relative to the working dir", []string{"PYNOMALY_AGENT_DATA_DIR=state/agent"},
			func(c *config.Config) (any, any) { return c.Agent.DataDir, "state/agent" }},
		{"file data dir resolves against the file", nil,
			func(c *config.Config) (any, any) { return c.Agent.DataDir, filepath.Join(dir, "data") }},
		{"url", []string{"PYNOMALY_CONTROL_PLANE_URL=nats://other:4222"},
			func(c *config.Config) (any, any) { return c.ControlPlane.URL, "nats://other:4222" }},
		{"token replaces the file's token_file", []string{"PYNOMALY_CONTROL_PLANE_TOKEN=t0k"},
			func(c *config.Config) (any, any) { return tokens(c), [2]string{"t0k", ""} }},
		{"token file stays relative", []string{"PYNOMALY_CONTROL_PLANE_TOKEN_FILE=run/tok"},
			func(c *config.Config) (any, any) { return tokens(c), [2]string{"", "run/tok"} }},
		{"listen", []string{"PYNOMALY_HTTP_LISTEN=off"},
			func(c *config.Config) (any, any) { return c.HTTP.Listen, "off" }},
		{"log level is lowercased", []string{"PYNOMALY_LOG_LEVEL=WARN"},
			func(c *config.Config) (any, any) { return c.Log.Level, "warn" }},
		{"log format", []string{"PYNOMALY_LOG_FORMAT=text"},
			func(c *config.Config) (any, any) { return c.Log.Format, "text" }},
		{"memory limit", []string{"PYNOMALY_AGENT_MEMORY_LIMIT=48MiB"},
			func(c *config.Config) (any, any) { return c.Agent.MemoryLimit, config.ByteSize(48 << 20) }},
		{"empty value is ignored", []string{"PYNOMALY_AGENT_ID="},
			func(c *config.Config) (any, any) { return c.Agent.ID, "edge-1" }},
		{"unrelated and malformed entries are ignored", []string{"HOME=/root", "PYNOMALY_AGENT_ID"},
			func(c *config.Config) (any, any) { return c.Agent.ID, "edge-1" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Load(filepath.Join(dir, "good.yaml"), tc.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got, want := tc.check(cfg); !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func tokens(c *config.Config) [2]string {
	return [2]string{c.ControlPlane.Token, c.ControlPlane.TokenFile}
}

func TestLoadEnvErrors(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"both token variables", []string{"PYNOMALY_CONTROL_PLANE_TOKEN=a", "PYNOMALY_CONTROL_PLANE_TOKEN_FILE=b"},
			"control_plane: set token or token_file, not both"},
		{"bad log level", []string{"PYNOMALY_LOG_LEVEL=loud"}, `log.level: "loud" is not one of`},
		{"bad agent id", []string{"PYNOMALY_AGENT_ID=a b"}, `agent.id: agent id "a b": character ' ' is not allowed`},
		{"memory limit not a size", []string{"PYNOMALY_AGENT_MEMORY_LIMIT=lots"}, `PYNOMALY_AGENT_MEMORY_LIMIT: "lots" is not a size`},
		{"memory limit too small", []string{"PYNOMALY_AGENT_MEMORY_LIMIT=8MiB"}, "agent.memory_limit: 8MiB is too small (at least 16MiB, or 0 for no limit)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Load("testdata/good.yaml", tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
