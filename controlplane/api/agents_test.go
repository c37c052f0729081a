package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/protocol"
)

func TestAgentsStatus(t *testing.T) {
	now := t0.Add(24 * time.Hour)
	a := newTestAPI(t, func(o *api.Options) { o.Now = func() time.Time { return now } })
	// Offline after 3 missed intervals plus 2 s of slack.
	tests := []struct {
		agent    string
		interval float64
		ago      time.Duration
		want     string
	}{
		{"just-now", 10, 0, api.StatusOnline},
		{"one-missed", 10, 15 * time.Second, api.StatusOnline},
		{"inside-slack", 10, 31 * time.Second, api.StatusOnline},
		{"past-slack", 10, 33 * time.Second, api.StatusOffline},
		{"slow-interval", 60, 2 * time.Minute, api.StatusOnline},
		{"gone", 10, time.Hour, api.StatusOffline},
	}
	for _, tc := range tests {
		hb := protocol.Heartbeat{Version: 1, AgentID: tc.agent, Hostname: "host-" + tc.agent, AgentVersion: "0.1.0",
			SentAt: now.Add(-tc.ago), IntervalSeconds: tc.interval, OutboxDepth: 4}
		if err := a.store.UpsertHeartbeat(t.Context(), hb, now.Add(-tc.ago)); err != nil {
			t.Fatal(err)
		}
	}
	var body struct {
		Agents []api.Agent `json:"agents"`
	}
	if code := a.get(t, "/api/v1/agents", &body); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	got := map[string]api.Agent{}
	for _, ag := range body.Agents {
		got[ag.ID] = ag
	}
	for _, tc := range tests {
		t.Run(tc.agent, func(t *testing.T) {
			ag, ok := got[tc.agent]
			if !ok {
				t.Fatalf("agent missing from %+v", body.Agents)
			}
			if ag.Status != tc.want {
				t.Errorf("status %q, want %q (last heartbeat %s ago, interval %vs)", ag.Status, tc.want, tc.ago, tc.interval)
			}
			if ag.Hostname != "host-"+tc.agent || ag.OutboxDepth != 4 || !ag.LastHeartbeat.Equal(now.Add(-tc.ago)) {
				t.Errorf("record %+v does not match the heartbeat", ag.AgentRecord)
			}
		})
	}
}

func TestAgentsEmpty(t *testing.T) {
	a := newTestAPI(t, nil)
	var body map[string]any
	if code := a.get(t, "/api/v1/agents", &body); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if agents, ok := body["agents"].([]any); !ok || len(agents) != 0 {
		t.Errorf(`body %v, want {"agents": []}`, body)
	}
}
