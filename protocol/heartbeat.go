package protocol

import (
	"encoding/json"
	"fmt"
	"time"
)

// HeartbeatVersion is the newest heartbeat message version this build writes and reads.
const HeartbeatVersion = 1

// MaxHeartbeatIntervalSeconds bounds the interval an agent may announce
// (one day), so status arithmetic on the control plane cannot overflow.
const MaxHeartbeatIntervalSeconds = 86400

// Component health states reported in heartbeats.
const (
	HealthOK       = "ok"
	HealthDegraded = "degraded"
	HealthFailed   = "failed"
)

// Heartbeat is what an agent publishes every Interval on HeartbeatSubject.
// The control plane derives the agent's online/offline status from it.
type Heartbeat struct {
	Version      int    `json:"v"`
	AgentID      string `json:"agent_id"`
	Hostname     string `json:"hostname"`
	AgentVersion string `json:"agent_version"`
	// SentAt is the agent's clock, so the control plane can flag skew.
	SentAt    time.Time `json:"sent_at"`
	StartedAt time.Time `json:"started_at"`
	// IntervalSeconds is how often the agent sends heartbeats; the control
	// plane uses it to decide when an agent is overdue.
	IntervalSeconds float64 `json:"interval_seconds"`
	// OutboxDepth is the number of results waiting to be delivered.
	OutboxDepth int64 `json:"outbox_depth"`
	// OutboxOldestSeconds is how long the oldest of them has waited.
	OutboxOldestSeconds float64           `json:"outbox_oldest_seconds,omitempty"`
	Inputs              []ComponentHealth `json:"inputs,omitempty"`
	Detectors           []ComponentHealth `json:"detectors,omitempty"`
	// Outbox is the outbox's state: degraded after a corrupt outbox file
	// was moved aside at start. Absent from older agents.
	Outbox ComponentHealth `json:"outbox,omitzero"`
	// Config is what became of the desired state (see DesiredState);
	// absent from older agents.
	Config *AppliedConfig `json:"config,omitempty"`
}

// ComponentHealth is the state of one input or detector on an agent.
type ComponentHealth struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// DecodeHeartbeat parses and validates a heartbeat message.
func DecodeHeartbeat(data []byte) (Heartbeat, error) {
	var h Heartbeat
	if err := json.Unmarshal(data, &h); err != nil {
		return Heartbeat{}, fmt.Errorf("decode heartbeat: %v: %w", err, ErrInvalidMessage)
	}
	if h.Version < 1 || h.Version > HeartbeatVersion {
		return Heartbeat{}, fmt.Errorf("heartbeat version %d: %w (this build reads 1..%d)", h.Version, ErrUnsupportedVersion, HeartbeatVersion)
	}
	if err := ValidateAgentID(h.AgentID); err != nil {
		return Heartbeat{}, fmt.Errorf("heartbeat: %v: %w", err, ErrInvalidMessage)
	}
	if h.SentAt.IsZero() || !(h.IntervalSeconds > 0 && h.IntervalSeconds <= MaxHeartbeatIntervalSeconds) {
		return Heartbeat{}, fmt.Errorf("heartbeat from %s without sent_at or with an interval outside (0, 86400] s: %w", h.AgentID, ErrInvalidMessage)
	}
	return h, nil
}
