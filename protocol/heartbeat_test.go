package protocol_test

import (
	"errors"
	"testing"

	"github.com/pynomaly/pynomaly/protocol"
)

func validHeartbeat(t *testing.T, edit map[string]any) []byte {
	t.Helper()
	m := map[string]any{
		"v": 1, "agent_id": "agent-1", "hostname": "host-a", "agent_version": "0.1.0",
		"sent_at": "2025-03-14T15:09:26Z", "started_at": "2025-03-14T14:00:00Z",
		"interval_seconds": 10, "outbox_depth": 3,
		"inputs": []map[string]string{{"name": "mqtt", "status": "ok"}},
	}
	return withEdits(t, m, edit)
}

func TestDecodeHeartbeat(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		wantErr error
	}{
		{"valid", validHeartbeat(t, nil), nil},
		{"unknown fields ignored", validHeartbeat(t, map[string]any{"gpu": map[string]int{"temp": 70}}), nil},
		{"missing version", validHeartbeat(t, map[string]any{"v": nil}), protocol.ErrUnsupportedVersion},
		{"newer version", validHeartbeat(t, map[string]any{"v": 99}), protocol.ErrUnsupportedVersion},
		{"negative version", validHeartbeat(t, map[string]any{"v": -1}), protocol.ErrUnsupportedVersion},
		{"missing agent id", validHeartbeat(t, map[string]any{"agent_id": nil}), protocol.ErrInvalidMessage},
		{"agent id with space", validHeartbeat(t, map[string]any{"agent_id": "a b"}), protocol.ErrInvalidMessage},
		{"missing sent_at", validHeartbeat(t, map[string]any{"sent_at": nil}), protocol.ErrInvalidMessage},
		{"missing interval", validHeartbeat(t, map[string]any{"interval_seconds": nil}), protocol.ErrInvalidMessage},
		{"negative interval", validHeartbeat(t, map[string]any{"interval_seconds": -1}), protocol.ErrInvalidMessage},
		{"interval over a day", validHeartbeat(t, map[string]any{"interval_seconds": 86401}), protocol.ErrInvalidMessage},
		{"huge interval", validHeartbeat(t, map[string]any{"interval_seconds": 1e300}), protocol.ErrInvalidMessage},
		{"inputs of wrong type", validHeartbeat(t, map[string]any{"inputs": "mqtt"}), protocol.ErrInvalidMessage},
		{"invalid JSON", []byte(`{"v":1`), protocol.ErrInvalidMessage},
		{"empty", []byte{}, protocol.ErrInvalidMessage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hb, err := protocol.DecodeHeartbeat(tc.data)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("DecodeHeartbeat: %v", err)
				}
				if hb.AgentID != "agent-1" || hb.IntervalSeconds != 10 || hb.OutboxDepth != 3 ||
					len(hb.Inputs) != 1 || hb.Inputs[0].Name != "mqtt" {
					t.Errorf("decoded %+v, fields lost", hb)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("DecodeHeartbeat error = %v, want %v", err, tc.wantErr)
			}
		})
	}
}
