package protocol

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

const (
	// StreamName is the JetStream stream that carries agent events (alerts,
	// and later rollups) from agents to the control plane.
	StreamName = "PYNOMALY_EVENTS"

	// EventsSubjectPrefix prefixes every subject captured by StreamName.
	EventsSubjectPrefix = "pynomaly.v1.events"

	// HeartbeatSubjectPrefix prefixes the core-NATS heartbeat subjects.
	// Heartbeats are status, not data: they are not persisted in JetStream.
	HeartbeatSubjectPrefix = "pynomaly.v1.heartbeat"

	// ControlPlaneQueue is the queue group control-plane replicas share, so
	// each heartbeat is handled by one replica.
	ControlPlaneQueue = "pynomaly-controlplane"
)

// EventsSubjects returns the subject filter of StreamName.
func EventsSubjects() []string { return []string{EventsSubjectPrefix + ".>"} }

// AlertSubject is the subject an agent publishes its alerts on.
func AlertSubject(agentID string) string {
	return EventsSubjectPrefix + "." + agentID + ".alert"
}

// HeartbeatSubject is the subject an agent publishes its heartbeats on.
func HeartbeatSubject(agentID string) string {
	return HeartbeatSubjectPrefix + "." + agentID
}

// HeartbeatSubjects is the wildcard the control plane subscribes to.
func HeartbeatSubjects() string { return HeartbeatSubjectPrefix + ".*" }

// maxAgentIDLen keeps subjects, keys and log lines to a sane size.
const maxAgentIDLen = 128

// ValidateAgentID reports whether id can be used as an agent id. An agent id
// is one NATS subject token, so it may use letters, digits, '-' and '_' only.
func ValidateAgentID(id string) error {
	if id == "" {
		return fmt.Errorf("agent id is empty")
	}
	if len(id) > maxAgentIDLen {
		return fmt.Errorf("agent id %q is longer than %d characters", id[:32]+"…", maxAgentIDLen)
	}
	if i := strings.IndexFunc(id, func(r rune) bool { return !isIDRune(r) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(id[i:])
		return fmt.Errorf("agent id %q: character %q is not allowed (use letters, digits, '-' and '_')", id, r)
	}
	return nil
}

func isIDRune(r rune) bool {
	return r == '-' || r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')
}

// SanitizeAgentID turns a host name into a valid agent id by replacing every
// disallowed character with '-'. It is how an agent without a configured id
// derives one from its host name.
// An empty name gives "agent".
func SanitizeAgentID(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s { // one '-' per character, not per byte
		if !isIDRune(r) {
			r = '-'
		}
		b = append(b, byte(r))
	}
	if len(b) > maxAgentIDLen {
		b = b[:maxAgentIDLen]
	}
	if len(b) == 0 {
		return "agent"
	}
	return string(b)
}
