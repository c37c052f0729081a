package api

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"
)

// appendAgentJSON appends a as encoding/json would marshal it, byte for
// byte (a test holds it to that), without reflection. A page of agents is
// the fleet API's hottest answer: at 1,000 requests a second of 100 agents
// each, reflection and time.Time's MarshalJSON (whose output encoding/json
// then re-scans) were a third of the control plane's CPU.
func appendAgentJSON(b []byte, a Agent) ([]byte, error) {
	r := a.AgentRecord
	b = append(b, `{"id":`...)
	b = appendJSONString(b, r.ID)
	b = append(b, `,"hostname":`...)
	b = appendJSONString(b, r.Hostname)
	b = append(b, `,"version":`...)
	b = appendJSONString(b, r.Version)
	for _, f := range []struct {
		key string
		t   time.Time
	}{{`,"last_heartbeat":`, r.LastHeartbeat}, {`,"agent_clock":`, r.AgentClock}, {`,"started_at":`, r.StartedAt}} {
		b = append(b, f.key...)
		b = appendJSONTime(b, f.t)
	}
	var err error
	b = append(b, `,"interval_seconds":`...)
	if b, err = appendJSONFloat(b, r.IntervalSeconds); err != nil {
		return nil, err
	}
	b = append(b, `,"outbox_depth":`...)
	b = strconv.AppendInt(b, r.OutboxDepth, 10)
	b = append(b, `,"outbox_oldest_seconds":`...)
	if b, err = appendJSONFloat(b, r.OutboxOldestSeconds); err != nil {
		return nil, err
	}
	// The nested parts are small and often absent; encoding/json does them.
	for _, f := range []struct {
		key  string
		v    any
		omit bool
	}{
		{`,"inputs":`, r.Inputs, len(r.Inputs) == 0},
		{`,"detectors":`, r.Detectors, len(r.Detectors) == 0},
		{`,"outbox":`, r.Outbox, r.Outbox == nil},
		{`,"config":`, r.Config, r.Config == nil},
	} {
		if f.omit {
			continue
		}
		v, err := json.Marshal(f.v)
		if err != nil {
			return nil, err
		}
		b = append(append(b, f.key...), v...)
	}
	b = append(b, `,"labels":`...)
	if r.Labels == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		for i, k := range slices.Sorted(maps.Keys(r.Labels)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendJSONString(b, k), ':')
			b = appendJSONString(b, r.Labels[k])
		}
		b = append(b, '}')
	}
	if !r.EnrolledAt.IsZero() {
		b = append(b, `,"enrolled_at":`...)
		b = appendJSONTime(b, r.EnrolledAt)
	}
	if r.Policy != "" {
		b = append(b, `,"policy":`...)
		b = appendJSONString(b, r.Policy)
	}
	b = append(b, `,"status":`...)
	b = appendJSONString(b, a.Status)
	b = append(b, `,"clock_skew_seconds":`...)
	if b, err = appendJSONFloat(b, a.ClockSkewSeconds); err != nil {
		return nil, err
	}
	b = append(b, `,"clock_skewed":`...)
	b = strconv.AppendBool(b, a.ClockSkewed)
	return append(b, '}'), nil
}

// appendJSONString appends s quoted; strings of plain printable ASCII,
// which ids, versions and labels are, go straight in, and anything
// encoding/json would escape (quotes, control bytes, <, >, &, non-ASCII)
// goes through it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSONTime appends t as time.Time's MarshalJSON does.
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendJSONFloat appends f as encoding/json does: the shortest form,
// exponent notation outside [1e-6, 1e21).
func appendJSONFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("json: unsupported value: %v", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	n := len(b)
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		if m := len(b) - n; m >= 4 && b[len(b)-4] == 'e' && b[len(b)-3] == '-' && b[len(b)-2] == '0' {
			b[len(b)-2] = b[len(b)-1]
			b = b[:len(b)-1]
		}
	}
	return b, nil
}
