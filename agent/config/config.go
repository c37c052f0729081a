// Package config is the agent's configuration: the YAML file, defaults,
// PYNOMALY_* environment overrides and validation, in that order.
package config

import (
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/agent/decision"
	"github.com/pynomaly/pynomaly/agent/detectors"
	"github.com/pynomaly/pynomaly/plugins/threshold"
)

// Config is the whole agent configuration (agent.yaml).
type Config struct {
	Agent        Agent        `yaml:"agent"`
	Outbox       Outbox       `yaml:"outbox"`
	ControlPlane ControlPlane `yaml:"control_plane"`
	HTTP         HTTP         `yaml:"http"`
	Log          Log          `yaml:"log"`
	Inputs       []Input      `yaml:"inputs"`
	Detector     Detector     `yaml:"detector"`
	Decision     Decision     `yaml:"decision"`
	Alerts       Alerts       `yaml:"alerts"`
	Plugins      []Plugin     `yaml:"plugins,omitempty"`
}

// Agent identifies the agent and where it keeps its state.
type Agent struct {
	// ID names the agent; default: the host name, with characters other
	// than letters, digits, '-' and '_' replaced by '-'.
	ID string `yaml:"id"`
	// DataDir holds the outbox and checkpoints; default /var/lib/pynomaly-agent.
	DataDir string `yaml:"data_dir"`
	// MemoryLimit is a soft limit on the memory the Go runtime uses (Go's
	// GOMEMLIMIT, which wins when set): near it the garbage collector runs
	// more often, trading CPU for memory, rather than letting the heap grow
	// to twice what is live. Default 0, no limit. It does not count the
	// binary's pages or the outbox file's mapping (about 16 MB and 1 KiB
	// per series). At least 16MiB.
	MemoryLimit ByteSize `yaml:"memory_limit"`
}

// Outbox bounds the agent's store-and-forward buffer.
type Outbox struct {
	// MaxBytes bounds the undelivered results; default 256MiB, 0 for no
	// bound (the disk is the limit).
	MaxBytes ByteSize `yaml:"max_bytes"`
	// MaxAge bounds how long a result may wait for delivery; default 168h
	// (a week), 0 for no bound.
	MaxAge time.Duration `yaml:"max_age"`
	// OnFull is what happens at MaxBytes or MaxAge: drop_oldest (default) deletes
	// the oldest undelivered results to make room, pause holds the inputs
	// until delivery makes room. Either way it shows in the metrics.
	OnFull string `yaml:"on_full"`
}

// ControlPlane says how to reach the control plane.
type ControlPlane struct {
	// URL of the control plane's NATS endpoint, e.g. nats://cp.example:4222.
	URL string `yaml:"url"`
	// Token is the shared NATS token; TokenFile reads it from a file instead.
	// An enrolled agent uses its credentials file instead and ignores them.
	Token     string `yaml:"token"`
	TokenFile string `yaml:"token_file"`
	// CredentialsFile holds the agent's own identity and secret, written
	// by `pynomaly-agent enroll`; default <data_dir>/credentials.json,
	// used when it exists. It sets agent.id and, unless url is set, the
	// NATS addresses.
	CredentialsFile string `yaml:"credentials_file"`
	credentials     *Credentials
	// HeartbeatInterval is how often the agent reports in; default 10s.
	HeartbeatInterval time.Duration `yaml:"heartbeat_interval"`
	// DrainRate bounds delivery to the control plane, in alerts per
	// second, so a fleet reconnecting after an outage does not flatten
	// it with backlogs; default 10000, 0 for no bound.
	DrainRate float64 `yaml:"drain_rate"`
	// SyncWait is how long inputs wait at start for the desired state the
	// control plane keeps for this agent, so that an agent that was off
	// while it changed does not read its backlog under the old one;
	// default 5s, 0 to start at once. An unreachable control plane costs
	// at most this much delay: the inputs then start with the last
	// desired state the agent kept (or its file's pipeline).
	SyncWait time.Duration `yaml:"sync_wait"`
}

// HTTP is the agent's local endpoint (/health, /metrics).
type HTTP struct {
	// Listen address; default 127.0.0.1:9465; "off" disables it.
	Listen string `yaml:"listen"`
	// Pprof serves Go's profiles under /debug/pprof/ on the same address,
	// for diagnosing CPU and memory use; off by default, as they reveal
	// internals to whoever can reach the address.
	Pprof bool `yaml:"pprof"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info (default), warn, error
	Format string `yaml:"format"` // auto (default: text on a terminal, else json), text, json
}

// Input is one source of samples. Exactly one type section is set.
type Input struct {
	// Name identifies the input in metrics, logs and checkpoints.
	Name string `yaml:"name"`
	// Labels are added to every series from this input.
	Labels map[string]string `yaml:"labels"`
	File   *FileInput        `yaml:"file"`
	MQTT   *MQTTInput        `yaml:"mqtt"`
	// Multivariate makes the values of one record (a CSV row, a JSON line,
	// an MQTT message) one sample of one series, named after the input,
	// scored together by a detector that takes several features (hst,
	// iforest, hbos, pca); alerts then say how much each value contributed.
	// Default false: every value is a series of its own.
	Multivariate bool `yaml:"multivariate,omitempty"`
	// Detector, when set, replaces the top-level detector for this input.
	Detector *Detector `yaml:"detector,omitempty"`
}

// FileInput reads CSV or JSON-lines files.
type FileInput struct {
	// Path of the file, or a glob pattern (*, ?, [a-z], as in Go's
	// path/filepath.Match; no **) for every file it matches, now and
	// later. Series of a pattern's files get the label file=<path>.
	Path   string `yaml:"path"`
	Format string `yaml:"format"` // csv (default) or jsonl
	// TimestampColumn holds the sample time; default "timestamp".
	TimestampColumn string `yaml:"timestamp_column"`
	// Columns are the value columns; each becomes a series named after it.
	// Default (CSV): every column but the timestamp.
	Columns   []string `yaml:"columns"`
	Separator string   `yaml:"separator"` // CSV only; default ","
	// Follow keeps reading data appended to the file (like tail -f);
	// otherwise the input stops at the end of the file.
	Follow bool `yaml:"follow"`
	// ReadFrom says where a followed file that has no checkpoint yet is
	// first read from: beginning (default) or end, to score only new
	// lines. Files that appear while the agent runs are read from their
	// beginning either way.
	ReadFrom string `yaml:"read_from"`
	// RotateWait is how long a followed file that was rotated (renamed or
	// removed) is still read after it stops growing, for writers that
	// finish their last lines before reopening; default 5s. The file now
	// at the path is read after it.
	RotateWait time.Duration `yaml:"rotate_wait"`
	// Rate limits rows per second (replaying a recording in real time);
	// 0 reads as fast as detection keeps up.
	Rate float64 `yaml:"rate"`
}

// The values of FileInput.ReadFrom.
const (
	ReadFromBeginning = "beginning"
	ReadFromEnd       = "end"
)

// FileLabel is the label of the series of a file input whose path is a
// glob pattern: the path of the file they come from.
const FileLabel = "file"

// IsGlob reports whether Path is a pattern rather than a file name.
func (f *FileInput) IsGlob() bool { return strings.ContainsAny(f.Path, "*?[") }

// Detector picks the detector and its parameters.
type Detector struct {
	// Type names a built-in detector, ensemble, or a configured plugin.
	Type   string            `yaml:"type"`
	Params map[string]string `yaml:"params"`
	// Members of an ensemble: two or more built-in detectors (ensembles
	// included) whose scores it combines.
	Members []Detector `yaml:"members,omitempty"`
}

// Spec converts the section into the detector registry's form.
func (d Detector) Spec() detectors.Spec {
	s := detectors.Spec{Type: d.Type, Params: d.Params}
	for _, m := range d.Members {
		s.Members = append(s.Members, m.Spec())
	}
	return s
}

// Plugin is an external detector: an executable the agent runs and talks
// to over go-plugin (gRPC). A detector type equal to Name selects it.
type Plugin struct {
	// Name identifies the plugin in detector types, metrics and health.
	Name string `yaml:"name"`
	// Path of the executable.
	Path string `yaml:"path"`
	// Params are handed to the plugin when it starts (sdk.ServeParams);
	// a plugin that refuses them fails to start, with its reason.
	Params map[string]string `yaml:"params,omitempty"`
}

// InputDetector returns the detector in's series are scored with: its own
// section, or else the top-level one.
func (c *Config) InputDetector(in Input) Detector {
	if in.Detector != nil {
		return *in.Detector
	}
	return c.Detector
}

// Plugin returns the configured plugin named name.
func (c *Config) Plugin(name string) (Plugin, bool) {
	for _, p := range c.Plugins {
		if p.Name == name {
			return p, true
		}
	}
	return Plugin{}, false
}

// PolicyFixed is the threshold policy of a constant decision.threshold.
const PolicyFixed = "fixed"

// Decision turns scores into alerts.
type Decision struct {
	// Policy judges each score anomalous or normal: fixed (default, a score
	// of at least Threshold), or one that learns its threshold per series
	// from the scores: quantile, spot, dspot (see plugins/threshold).
	Policy string `yaml:"policy"`
	// Params of a learned policy, e.g. risk: 1e-4 for spot.
	Params map[string]string `yaml:"params,omitempty"`
	// Threshold of policy fixed, in (0, 1]; default 0.999.
	Threshold   float64 `yaml:"threshold"`
	Consecutive int     `yaml:"consecutive"`
	ClearAfter  int     `yaml:"clear_after"`
	// Severity put on alerts: info, warning (default) or critical.
	Severity string `yaml:"severity"`
}

// DecisionOptions converts the section into the decision package's options.
func (d Decision) DecisionOptions() decision.Options {
	return decision.Options{Threshold: d.Threshold, Consecutive: d.Consecutive, ClearAfter: d.ClearAfter}
}

// NewPolicy returns a new instance of the section's threshold policy, for
// one series. Call it on a validated section.
func (d Decision) NewPolicy() (threshold.Policy, error) {
	if d.Policy == "" || d.Policy == PolicyFixed {
		t := d.Threshold
		if t == 0 {
			t = decision.DefaultThreshold
		}
		return threshold.NewFixed(t)
	}
	return threshold.Parse(d.Policy, d.Params)
}
