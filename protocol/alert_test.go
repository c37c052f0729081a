package protocol_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/protocol"
)

var ts0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

func TestAlertIDDeterministicAndSensitive(t *testing.T) {
	base := protocol.AlertID("agent-1", `temp{site="a"}`, "zscore", ts0)
	if len(base) != 32 || strings.Trim(base, "0123456789abcdef") != "" {
		t.Fatalf("AlertID = %q, want 32 lowercase hex characters", base)
	}
	if again := protocol.AlertID("agent-1", `temp{site="a"}`, "zscore", ts0); again != base {
		t.Fatalf("AlertID not deterministic: %q then %q", base, again)
	}
	// The same instant seen from another zone is the same sample.
	if z := protocol.AlertID("agent-1", `temp{site="a"}`, "zscore", ts0.In(time.FixedZone("X", -7*3600))); z != base {
		t.Errorf("AlertID depends on the time zone: %q vs %q", z, base)
	}
	tests := []struct {
		name                    string
		agent, series, detector string
		ts                      time.Time
	}{
		{"agent", "agent-2", `temp{site="a"}`, "zscore", ts0},
		{"series", "agent-1", `temp{site="b"}`, "zscore", ts0},
		{"detector", "agent-1", `temp{site="a"}`, "mad", ts0},
		{"one nanosecond later", "agent-1", `temp{site="a"}`, "zscore", ts0.Add(1)},
		{"field boundary moved", "agent-1t", `emp{site="a"}`, "zscore", ts0},
		{"series and detector swapped", "agent-1", "zscore", `temp{site="a"}`, ts0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := protocol.AlertID(tc.agent, tc.series, tc.detector, tc.ts); got == base {
				t.Errorf("AlertID(%q, %q, %q, %v) = %q, same as the base alert", tc.agent, tc.series, tc.detector, tc.ts, got)
			}
		})
	}
}

// validAlert is the JSON of an alert that decodes cleanly; edit replaces or
// (with a nil value) deletes top-level fields.
func validAlert(t testing.TB, edit map[string]any) []byte {
	t.Helper()
	m := map[string]any{
		"v": 1, "id": "0123abcd", "agent_id": "agent-1", "series": `temp{site="a"}`,
		"metric": "temp", "labels": map[string]string{"site": "a"},
		"timestamp": "2025-03-14T15:09:26.535897932Z", "values": map[string]float64{"value": 42.5},
		"score": 0.97, "threshold": 0.9, "severity": "warning", "detector": "zscore",
		"detected_at": "2025-03-14T15:09:27Z",
	}
	return withEdits(t, m, edit)
}

func TestDecodeAlert(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		wantErr error // nil: must decode
	}{
		{"valid", validAlert(t, nil), nil},
		{"unknown fields ignored", validAlert(t, map[string]any{"future_field": map[string]int{"x": 1}, "trace": "abc"}), nil},
		{"score bounds inclusive", validAlert(t, map[string]any{"score": 1}), nil},
		{"score zero", validAlert(t, map[string]any{"score": 0}), nil},
		{"missing version", validAlert(t, map[string]any{"v": nil}), protocol.ErrUnsupportedVersion},
		{"version zero", validAlert(t, map[string]any{"v": 0}), protocol.ErrUnsupportedVersion},
		{"newer version", validAlert(t, map[string]any{"v": 99}), protocol.ErrUnsupportedVersion},
		{"missing id", validAlert(t, map[string]any{"id": nil}), protocol.ErrInvalidMessage},
		{"missing series", validAlert(t, map[string]any{"series": nil}), protocol.ErrInvalidMessage},
		{"missing timestamp", validAlert(t, map[string]any{"timestamp": nil}), protocol.ErrInvalidMessage},
		{"score above 1", validAlert(t, map[string]any{"score": 1.5}), protocol.ErrInvalidMessage},
		{"score below 0", validAlert(t, map[string]any{"score": -0.1}), protocol.ErrInvalidMessage},
		{"missing agent id", validAlert(t, map[string]any{"agent_id": nil}), protocol.ErrInvalidMessage},
		{"agent id with a dot", validAlert(t, map[string]any{"agent_id": "a.b"}), protocol.ErrInvalidMessage},
		{"agent id wildcard", validAlert(t, map[string]any{"agent_id": ">"}), protocol.ErrInvalidMessage},
		{"bad timestamp", validAlert(t, map[string]any{"timestamp": "yesterday"}), protocol.ErrInvalidMessage},
		{"timestamp before 1678 (no UnixNano, no id)", validAlert(t, map[string]any{"timestamp": "1600-01-01T00:00:00Z"}), protocol.ErrInvalidMessage},
		{"timestamp after 2262", validAlert(t, map[string]any{"timestamp": "2300-01-01T00:00:00Z"}), protocol.ErrInvalidMessage},
		{"detected_at past year 9999 once in UTC", validAlert(t, map[string]any{"detected_at": "9999-12-31T23:00:00-05:00"}), protocol.ErrInvalidMessage},
		{"version as string", validAlert(t, map[string]any{"v": "1"}), protocol.ErrInvalidMessage},
		{"invalid JSON", []byte(`{"v":1,`), protocol.ErrInvalidMessage},
		{"not an object", []byte(`[1,2,3]`), protocol.ErrInvalidMessage},
		{"empty", nil, protocol.ErrInvalidMessage},
		{"JSON null", []byte(`null`), protocol.ErrUnsupportedVersion},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := protocol.DecodeAlert(tc.data)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("DecodeAlert: %v", err)
				}
				if a.ID != "0123abcd" || a.AgentID != "agent-1" || !a.Timestamp.Equal(ts0) || a.Values["value"] != 42.5 {
					t.Errorf("decoded %+v, fields lost", a)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("DecodeAlert error = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// FuzzDecodeAlert checks that no input panics, that every error is one of
// the documented sentinels, and that an accepted alert survives a round trip.
func FuzzDecodeAlert(f *testing.F) {
	f.Add(validAlert(f, nil))
	f.Add(validAlert(f, map[string]any{"v": 2}))
	f.Add([]byte(`{"v":1,"id":"x","agent_id":"a","series":"s","timestamp":"0001-01-01T00:00:01Z","score":1e-300}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := protocol.DecodeAlert(data)
		if err != nil {
			if !errors.Is(err, protocol.ErrInvalidMessage) && !errors.Is(err, protocol.ErrUnsupportedVersion) {
				t.Fatalf("error %v wraps neither sentinel", err)
			}
			return
		}
		if a.ID == "" || a.Series == "" || a.Timestamp.IsZero() || !(a.Score >= 0 && a.Score <= 1) {
			t.Fatalf("accepted an invalid alert: %+v", a)
		}
		out, err := json.Marshal(a)
		if err != nil {
			t.Fatalf("re-encode accepted alert: %v", err)
		}
		b, err := protocol.DecodeAlert(out)
		if err != nil || b.ID != a.ID || !b.Timestamp.Equal(a.Timestamp) || b.Score != a.Score {
			t.Fatalf("round trip: %+v, %v; want %+v", b, err, a)
		}
	})
}

// withEdits applies edit to the message m (a nil value deletes the key)
// and encodes it, so each table case states only what it changes.
func withEdits(t testing.TB, m, edit map[string]any) []byte {
	t.Helper()
	for k, v := range edit {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
