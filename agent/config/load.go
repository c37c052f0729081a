package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Default values applied before the file is read.
const (
	DefaultDataDir           = "/var/lib/pynomaly-agent"
	DefaultHTTPListen        = "127.0.0.1:9465"
	DefaultHeartbeatInterval = 10 * time.Second
	// DefaultOutboxMaxBytes holds about half a million alerts: days of
	// a busy gateway's results, within a small device's disk.
	DefaultOutboxMaxBytes = 256 << 20
	// DefaultOutboxMaxAge keeps a week of results through an outage.
	DefaultOutboxMaxAge = 7 * 24 * time.Hour
	// DefaultDrainRate lets one agent deliver a day's backlog of a busy
	// gateway in minutes, and keeps a hundred agents' together within what
	// one control plane ingests.
	DefaultDrainRate = 10000
	// MinMemoryLimit is the smallest agent.memory_limit: below it the
	// runtime's own memory and an idle agent's heap leave no room, and the
	// collector would run without pause.
	MinMemoryLimit = 16 << 20
	// DefaultSyncWait is long enough for a reachable control plane to
	// answer, short enough not to matter when it is not.
	DefaultSyncWait = 5 * time.Second
)

func defaults() Config {
	return Config{
		Agent:        Agent{DataDir: DefaultDataDir},
		Outbox:       Outbox{MaxBytes: DefaultOutboxMaxBytes, MaxAge: DefaultOutboxMaxAge, OnFull: "drop_oldest"},
		ControlPlane: ControlPlane{HeartbeatInterval: DefaultHeartbeatInterval, DrainRate: DefaultDrainRate, SyncWait: DefaultSyncWait},
		HTTP:         HTTP{Listen: DefaultHTTPListen},
		Log:          Log{Level: "info", Format: "auto"},
		Detector:     Detector{Type: "zscore"},
		Decision:     Decision{Severity: "warning"},
	}
}

// Load reads path, applies env (a list of KEY=VALUE, as from os.Environ),
// the credentials file and validates. Relative paths in the file are taken
// relative to the file.
func Load(path string, env []string) (*Config, error) {
	cfg, err := read(path, env, false)
	if err != nil {
		return nil, err
	}
	if err := cfg.loadCredentials(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// ReadFile reads path and applies env like Load, without loading the
// credentials or validating: enrollment needs the agent's id and data
// directory before the configuration is complete. A missing file gives
// the defaults.
func ReadFile(path string, env []string) (*Config, error) { return read(path, env, true) }

func read(path string, env []string, missingOK bool) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil && !(missingOK && errors.Is(err, fs.ErrNotExist)) {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cfg, err := Parse(path, b)
	if err != nil {
		return nil, err
	}
	// Paths in the file are relative to the file; paths from the
	// environment are relative to the working directory, as users expect.
	cfg.resolvePaths(filepath.Dir(path))
	if err := cfg.applyEnv(env); err != nil {
		return nil, err
	}
	return cfg, nil
}

// Parse decodes YAML strictly over the defaults: an unknown key is an
// error naming its line and the closest known key. name prefixes messages.
func Parse(name string, data []byte) (*Config, error) {
	cfg := defaults()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, explainYAML(name, err)
	}
	return &cfg, nil
}

func (c *Config) resolvePaths(dir string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	abs(&c.Agent.DataDir)
	abs(&c.ControlPlane.TokenFile)
	abs(&c.ControlPlane.CredentialsFile)
	for i := range c.Inputs {
		if c.Inputs[i].File != nil {
			abs(&c.Inputs[i].File.Path)
		}
		if m := c.Inputs[i].MQTT; m != nil {
			m.resolvePaths(abs)
		}
	}
	if m := c.Alerts.MQTT; m != nil {
		m.resolvePaths(abs)
	}
	for i := range c.Plugins {
		abs(&c.Plugins[i].Path)
	}
}

// envVars maps each supported environment variable to the key it overrides.
var envVars = []struct {
	name string
	set  func(c *Config, v string) error
}{
	{"PYNOMALY_AGENT_ID", func(c *Config, v string) error { c.Agent.ID = v; return nil }},
	{"PYNOMALY_AGENT_DATA_DIR", func(c *Config, v string) error { c.Agent.DataDir = v; return nil }},
	{"PYNOMALY_AGENT_MEMORY_LIMIT", func(c *Config, v string) error { return c.Agent.MemoryLimit.UnmarshalText([]byte(v)) }},
	{"PYNOMALY_CONTROL_PLANE_URL", func(c *Config, v string) error { c.ControlPlane.URL = v; return nil }},
	{"PYNOMALY_CONTROL_PLANE_TOKEN", func(c *Config, v string) error { c.ControlPlane.Token = v; return nil }},
	{"PYNOMALY_CONTROL_PLANE_TOKEN_FILE", func(c *Config, v string) error { c.ControlPlane.TokenFile = v; return nil }},
	{"PYNOMALY_CONTROL_PLANE_CREDENTIALS_FILE", func(c *Config, v string) error { c.ControlPlane.CredentialsFile = v; return nil }},
	{"PYNOMALY_HTTP_LISTEN", func(c *Config, v string) error { c.HTTP.Listen = v; return nil }},
	{"PYNOMALY_LOG_LEVEL", func(c *Config, v string) error { c.Log.Level = v; return nil }},
	{"PYNOMALY_LOG_FORMAT", func(c *Config, v string) error { c.Log.Format = v; return nil }},
}

func (c *Config) applyEnv(env []string) error {
	vals := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vals[k] = v
		}
	}
	// A token from the environment replaces the file's token and
	// token_file alike; keeping the file's would make the two conflict.
	if vals["PYNOMALY_CONTROL_PLANE_TOKEN"] != "" || vals["PYNOMALY_CONTROL_PLANE_TOKEN_FILE"] != "" {
		c.ControlPlane.Token, c.ControlPlane.TokenFile = "", ""
	}
	for _, ev := range envVars {
		if v, ok := vals[ev.name]; ok && v != "" {
			if err := ev.set(c, v); err != nil {
				return fmt.Errorf("%s: %w", ev.name, err)
			}
		}
	}
	return nil
}
