package config

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/protocol"
)

// Validate fills derived defaults and reports every problem it finds, each
// naming its key. It makes no network calls.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Agent.ID == "" {
		host, err := os.Hostname()
		if err != nil {
			add("agent.id: not set and the host name is unknown: %v", err)
		}
		c.Agent.ID = protocol.SanitizeAgentID(host)
	}
	if err := protocol.ValidateAgentID(c.Agent.ID); err != nil {
		add("agent.id: %v", err)
	}
	if c.Agent.DataDir == "" {
		add("agent.data_dir: must be set")
	}
	if c.Agent.MemoryLimit != 0 && c.Agent.MemoryLimit < MinMemoryLimit {
		add("agent.memory_limit: %s is too small (at least %s, or 0 for no limit)", c.Agent.MemoryLimit, ByteSize(MinMemoryLimit))
	}
	if c.ControlPlane.URL == "" {
		add("control_plane.url: must be set (e.g. nats://127.0.0.1:4222), or enroll the agent: pynomaly-agent enroll")
	}
	if c.ControlPlane.Token != "" && c.ControlPlane.TokenFile != "" {
		add("control_plane: set token or token_file, not both")
	}
	if c.ControlPlane.HeartbeatInterval < 100*time.Millisecond {
		add("control_plane.heartbeat_interval: %s is too short (at least 100ms)", c.ControlPlane.HeartbeatInterval)
	}
	if c.ControlPlane.HeartbeatInterval > protocol.MaxHeartbeatIntervalSeconds*time.Second {
		add("control_plane.heartbeat_interval: %s is too long (at most 24h)", c.ControlPlane.HeartbeatInterval)
	}
	if c.ControlPlane.DrainRate < 0 || math.IsNaN(c.ControlPlane.DrainRate) || math.IsInf(c.ControlPlane.DrainRate, 0) {
		add("control_plane.drain_rate: %v must be a finite number, 0 (no bound) or more", c.ControlPlane.DrainRate)
	}
	if c.ControlPlane.SyncWait < 0 || c.ControlPlane.SyncWait > time.Minute {
		add("control_plane.sync_wait: %s must be between 0 and 1m", c.ControlPlane.SyncWait)
	}
	if c.Outbox.MaxBytes < 0 {
		add("outbox.max_bytes: %s is negative", c.Outbox.MaxBytes)
	}
	if c.Outbox.MaxAge < 0 {
		add("outbox.max_age: %s is negative", c.Outbox.MaxAge)
	}
	if _, err := outbox.ParseFullPolicy(c.Outbox.OnFull); err != nil {
		add("outbox.on_full: %v", err)
	}
	errs = append(errs, c.validateLog()...)
	errs = append(errs, c.validateInputs()...)
	errs = append(errs, c.validatePlugins()...)
	errs = append(errs, c.validateDetectors()...)
	errs = append(errs, c.Decision.validate()...)
	if c.Alerts.MQTT != nil {
		errs = append(errs, c.Alerts.MQTT.validate("alerts.mqtt", c.Agent.ID)...)
	}
	return errors.Join(errs...)
}

// validate fills the decision section's defaults and checks it, building
// one threshold policy to prove the policy and its params are good.
func (d *Decision) validate() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if d.Policy == "" {
		d.Policy = PolicyFixed
	}
	learned := d.Policy != PolicyFixed
	if learned && d.Threshold != 0 {
		add("decision.threshold: applies to policy fixed; policy %s learns its threshold (tune it with decision.params)", d.Policy)
	}
	if !learned && len(d.Params) > 0 {
		add("decision.params: policy fixed takes no params; set decision.threshold")
	}
	threshold := d.Threshold
	opts := d.DecisionOptions()
	if err := opts.Validate(); err != nil {
		add("decision: %v", err)
	}
	d.Threshold, d.Consecutive, d.ClearAfter = opts.Threshold, opts.Consecutive, opts.ClearAfter
	if learned {
		d.Threshold = threshold
		if _, err := d.NewPolicy(); err != nil {
			add("decision.policy: %v", err)
		}
	}
	switch d.Severity {
	case protocol.SeverityInfo, protocol.SeverityWarning, protocol.SeverityCritical:
	default:
		add("decision.severity: %q is not one of info, warning, critical", d.Severity)
	}
	return errs
}

func (c *Config) validateLog() []error {
	var errs []error
	c.Log.Level = strings.ToLower(c.Log.Level) // the guide writes INFO
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log.level: %q is not one of debug, info, warn, error", c.Log.Level))
	}
	switch c.Log.Format {
	case "auto", "text", "json":
	default:
		errs = append(errs, fmt.Errorf("log.format: %q is not one of auto, text, json", c.Log.Format))
	}
	return errs
}

func (c *Config) validateInputs() []error {
	var errs []error
	if len(c.Inputs) == 0 {
		errs = append(errs, errors.New("inputs: at least one input is required"))
	}
	seen := map[string]bool{}
	for i := range c.Inputs {
		in := &c.Inputs[i]
		key := fmt.Sprintf("inputs[%d]", i)
		if err := protocol.ValidateAgentID(in.Name); err != nil {
			errs = append(errs, fmt.Errorf("%s.name: %v", key, strings.Replace(err.Error(), "agent id", "name", 1)))
		} else if seen[in.Name] {
			errs = append(errs, fmt.Errorf("%s.name: %q is used by another input", key, in.Name))
		}
		seen[in.Name] = true
		if _, ok := in.Labels["input"]; ok {
			errs = append(errs, fmt.Errorf("%s.labels: \"input\" is reserved: every series is labelled with its input's name", key))
		}
		switch {
		case in.File == nil && in.MQTT == nil:
			errs = append(errs, fmt.Errorf("%s: no input type set (add a file: or an mqtt: section)", key))
		case in.File != nil && in.MQTT != nil:
			errs = append(errs, fmt.Errorf("%s: both file: and mqtt: set; an input has one type (make two inputs)", key))
		case in.File != nil:
			errs = append(errs, in.File.validate(key+".file")...)
			if _, ok := in.Labels[FileLabel]; ok && in.File.IsGlob() {
				errs = append(errs, fmt.Errorf("%s.labels: \"file\" is reserved: the series of a path pattern are labelled with their file", key))
			}
		default:
			if in.MQTT.ClientID == "" {
				in.MQTT.ClientID = "pynomaly-" + c.Agent.ID + "-" + in.Name
			}
			errs = append(errs, in.MQTT.validate(key+".mqtt")...)
		}
	}
	return errs
}

func (f *FileInput) validate(key string) []error {
	var errs []error
	if f.Path == "" {
		errs = append(errs, fmt.Errorf("%s.path: must be set", key))
	}
	if _, err := filepath.Match(f.Path, ""); err != nil {
		errs = append(errs, fmt.Errorf("%s.path: %q is not a valid pattern: %v", key, f.Path, err))
	}
	switch f.ReadFrom {
	case "":
		f.ReadFrom = ReadFromBeginning
	case ReadFromBeginning:
	case ReadFromEnd:
		if !f.Follow {
			errs = append(errs, fmt.Errorf("%s.read_from: end needs follow: true (a file read once from its end gives nothing)", key))
		}
	default:
		errs = append(errs, fmt.Errorf("%s.read_from: %q is not one of beginning, end", key, f.ReadFrom))
	}
	switch {
	case f.RotateWait == 0:
		f.RotateWait = 5 * time.Second
	case f.RotateWait < 0:
		errs = append(errs, fmt.Errorf("%s.rotate_wait: %s is negative", key, f.RotateWait))
	}
	if f.Format == "" {
		f.Format = string(input.FormatCSV)
	}
	if format, err := input.ParseFormat(f.Format); err != nil {
		errs = append(errs, fmt.Errorf("%s.format: %v", key, err))
	} else if format == input.FormatJSONL && len(f.Columns) == 0 {
		errs = append(errs, fmt.Errorf("%s.columns: must be set for jsonl input (the keys holding values)", key))
	}
	if f.TimestampColumn == "" {
		f.TimestampColumn = "timestamp"
	}
	if len([]rune(f.Separator)) > 1 {
		errs = append(errs, fmt.Errorf("%s.separator: %q must be a single character", key, f.Separator))
	} else if strings.ContainsAny(f.Separator, "\"\r\n") {
		// The reader refuses these; catching them here fails start-up
		// instead of retrying the input forever.
		errs = append(errs, fmt.Errorf("%s.separator: %q cannot be a quote or a newline", key, f.Separator))
	}
	if f.Rate < 0 || math.IsNaN(f.Rate) || math.IsInf(f.Rate, 0) {
		errs = append(errs, fmt.Errorf("%s.rate: %v must be a finite number, not negative", key, f.Rate))
	}
	return errs
}

// SeparatorRune returns the CSV separator, ',' by default.
func (f *FileInput) SeparatorRune() rune {
	if f.Separator == "" {
		return ','
	}
	return []rune(f.Separator)[0]
}

// ReadToken returns the NATS token from token or token_file.
func (c *ControlPlane) ReadToken() (string, error) {
	if c.TokenFile == "" {
		return c.Token, nil
	}
	b, err := os.ReadFile(c.TokenFile)
	if err != nil {
		return "", fmt.Errorf("control_plane.token_file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
