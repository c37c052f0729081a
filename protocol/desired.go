package protocol

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"time"
)

// Desired state: what the control plane wants each agent to run. It lives
// in JetStream KV (DesiredBucket, one key per agent id) so that an agent
// that was offline when it changed finds it when it reconnects; model
// bytes live in a JetStream object store (ModelsBucket), as they can be
// larger than one message.
const (
	// DesiredBucket is the KV bucket of desired states, keyed by agent id.
	DesiredBucket = "pynomaly_desired"
	// ModelsBucket is the object store of model versions, named by
	// ModelObject.
	ModelsBucket = "pynomaly_models"
	// DesiredVersion is the newest desired-state version this build
	// writes and reads.
	DesiredVersion = 1
	// MaxPipelineBytes bounds a desired pipeline document; an agent.yaml
	// is a few KB.
	MaxPipelineBytes = 256 << 10
	// MaxModelBytes bounds one model version.
	MaxModelBytes = 64 << 20
)

// DesiredState is the document stored under an agent's id.
type DesiredState struct {
	Version int `json:"v"`
	// Pipeline is YAML with any of agent.yaml's inputs, detector and
	// decision sections; a section it has replaces the agent file's, a
	// section it lacks keeps the file's. Empty: the file's pipeline.
	Pipeline string `json:"pipeline,omitempty"`
	// Models are the models inputs start their series from.
	Models []ModelAssignment `json:"models,omitempty"`
	// UpdatedAt is when the control plane wrote it, for people.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	// Source says who wrote it: DesiredFromPolicies when the control
	// plane rendered it from policies; empty when an operator set it by
	// hand (and for every state written before policies existed), which
	// keeps policies off the agent until it is deleted. Agents ignore it;
	// it is not part of Hash.
	Source string `json:"source,omitempty"`
	// Policies are the policies a rendered state was made from, as
	// name@revision, highest precedence first; for people.
	Policies []string `json:"policies,omitempty"`
}

// DesiredFromPolicies is DesiredState.Source of a state rendered from
// policies.
const DesiredFromPolicies = "policies"

// ModelAssignment puts a model version on an input: every series of the
// input starts from it (the detector state it holds) instead of learning
// from nothing, and its series are restarted from it when it changes.
type ModelAssignment struct {
	Input   string `json:"input"`
	Name    string `json:"name"`
	Version string `json:"version"`
	// SHA256 of the model's bytes, hex: the agent refuses other bytes.
	SHA256 string `json:"sha256"`
}

// ModelObject names a model version in ModelsBucket.
func ModelObject(name, version string) string { return name + "/" + version }

// modelNameRE limits model names and versions to what is safe in object
// names, URLs and log lines.
var modelNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// ValidateModelRef checks a model name and version.
func ValidateModelRef(name, version string) error {
	if !modelNameRE.MatchString(name) {
		return fmt.Errorf("model name %q: use 1 to 128 letters, digits, '.', '-' or '_', starting with a letter or digit", name)
	}
	if !modelNameRE.MatchString(version) {
		return fmt.Errorf("model version %q: use 1 to 128 letters, digits, '.', '-' or '_', starting with a letter or digit", version)
	}
	return nil
}

// Hash identifies the state's content (pipeline and models), so an agent
// can report which desired state it runs and the control plane can tell
// whether that is the latest. UpdatedAt is not part of it.
func (d DesiredState) Hash() string {
	b, _ := json.Marshal(struct { // cannot fail: strings and a slice of them
		P string            `json:"p"`
		M []ModelAssignment `json:"m"`
	}{d.Pipeline, d.Models})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// Encode writes d as the current version.
func (d DesiredState) Encode() ([]byte, error) {
	d.Version = DesiredVersion
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(d)
}

// DecodeDesired parses and checks a desired state.
func DecodeDesired(b []byte) (DesiredState, error) {
	var d DesiredState
	if err := json.Unmarshal(b, &d); err != nil {
		return DesiredState{}, fmt.Errorf("decode desired state: %v: %w", err, ErrInvalidMessage)
	}
	if d.Version < 1 || d.Version > DesiredVersion {
		return DesiredState{}, fmt.Errorf("desired state version %d: %w (this build reads 1..%d)", d.Version, ErrUnsupportedVersion, DesiredVersion)
	}
	if err := d.Validate(); err != nil {
		return DesiredState{}, fmt.Errorf("desired state: %v: %w", err, ErrInvalidMessage)
	}
	return d, nil
}

// Validate checks what can be checked without the agent's configuration:
// sizes, model references, one model per input.
func (d DesiredState) Validate() error {
	if len(d.Pipeline) > MaxPipelineBytes {
		return fmt.Errorf("pipeline is %d bytes, more than the %d allowed", len(d.Pipeline), MaxPipelineBytes)
	}
	seen := make(map[string]bool, len(d.Models))
	for i, m := range d.Models {
		if m.Input == "" {
			return fmt.Errorf("models[%d]: input is empty", i)
		}
		if seen[m.Input] {
			return fmt.Errorf("models[%d]: input %s has more than one model", i, m.Input)
		}
		seen[m.Input] = true
		if err := ValidateModelRef(m.Name, m.Version); err != nil {
			return fmt.Errorf("models[%d]: %v", i, err)
		}
		if b, err := hex.DecodeString(m.SHA256); err != nil || len(b) != sha256.Size {
			return fmt.Errorf("models[%d]: sha256 %q is not 64 hex digits", i, m.SHA256)
		}
	}
	return nil
}

// States of AppliedConfig.
const (
	// ConfigApplied: the agent runs the desired state of Hash.
	ConfigApplied = "applied"
	// ConfigApplying: the agent received it and is applying it.
	ConfigApplying = "applying"
	// ConfigFailed: the agent refused it (Error says why) and runs the
	// last good one, RunningHash.
	ConfigFailed = "failed"
)

// AppliedConfig is an agent's report, in its heartbeats, of the desired
// state it received and the one it runs (as OpAMP's RemoteConfigStatus).
type AppliedConfig struct {
	// Hash of the last desired state received; empty when there is none
	// (the agent runs its file's pipeline).
	Hash   string `json:"hash,omitempty"`
	Status string `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
	// RunningHash is the desired state in effect: Hash once applied, the
	// previous good one after a failure, empty for the file's pipeline.
	RunningHash string `json:"running_hash,omitempty"`
	// Cached: the running state was read from the agent's own copy at
	// start, as the control plane could not be reached.
	Cached    bool      `json:"cached,omitempty"`
	AppliedAt time.Time `json:"applied_at,omitzero"`
}
