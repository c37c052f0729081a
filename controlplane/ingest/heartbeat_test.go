package ingest_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/ingest"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

func TestHeartbeats(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	_, reg, _ := e.runIngester(t, e.store)
	hb := func(agent string, v int) protocol.Heartbeat {
		return protocol.Heartbeat{Version: v, AgentID: agent, Hostname: "h-" + agent, AgentVersion: "0.1.0",
			SentAt: t0, StartedAt: t0.Add(-time.Hour), IntervalSeconds: 10, OutboxDepth: 7}
	}
	tests := []struct {
		name    string
		subject string
		data    []byte
		reason  string // "" means stored
	}{
		{"valid", protocol.HeartbeatSubject("agent-1"), testkit.MustJSON(t, hb("agent-1", 1)), ""},
		{"subject of another agent", protocol.HeartbeatSubject("agent-2"), testkit.MustJSON(t, hb("agent-1", 1)), "heartbeat_subject_mismatch"},
		{"newer version", protocol.HeartbeatSubject("agent-3"), testkit.MustJSON(t, hb("agent-3", 99)), "heartbeat_unsupported_version"},
		{"invalid JSON", protocol.HeartbeatSubject("agent-4"), []byte("{"), "heartbeat_invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := e.agent.Publish(tc.subject, tc.data); err != nil {
				t.Fatal(err)
			}
			if tc.reason == "" {
				testkit.WaitFor(t, 10*time.Second, "heartbeat stored", func() bool { return metric(t, reg, "pynomaly_heartbeats_received_total", nil) == 1 })
				return
			}
			testkit.WaitFor(t, 10*time.Second, "heartbeat rejected as "+tc.reason, func() bool {
				return metric(t, reg, "pynomaly_ingest_rejected_total", map[string]string{"reason": tc.reason}) == 1
			})
		})
	}
	agents, err := e.store.ListAgents(t.Context(), store.AgentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(agents) != 1 || agents[0].ID != "agent-1" || agents[0].Hostname != "h-agent-1" || agents[0].OutboxDepth != 7 {
		t.Fatalf("agents = %+v, want only agent-1 as sent", agents)
	}
	if got := metric(t, reg, "pynomaly_heartbeats_received_total", nil); got != 1 {
		t.Errorf("pynomaly_heartbeats_received_total = %v, want 1", got)
	}
}

// TestNewAgentTold: NewAgent hears of an agent the store lacks at its
// first heartbeat and not at the next, and hears of it again at its first
// heartbeat after it was unenrolled.
func TestNewAgentTold(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	nc, err := e.broker.Connect("ingest-test")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	told := 0
	_, reg, _ := runIngesterWith(t, ingest.Options{Conn: nc, Store: e.store,
		NewAgent: func(_ context.Context, id string) {
			mu.Lock()
			defer mu.Unlock()
			if id == "legacy-1" {
				told++
			}
		}})
	toldNow := func() int {
		mu.Lock()
		defer mu.Unlock()
		return told
	}
	beats := 0
	beat := func() {
		t.Helper()
		hb := protocol.Heartbeat{Version: 1, AgentID: "legacy-1", SentAt: time.Now(), IntervalSeconds: 10}
		if err := e.agent.Publish(protocol.HeartbeatSubject("legacy-1"), testkit.MustJSON(t, hb)); err != nil {
			t.Fatal(err)
		}
		beats++
		testkit.WaitFor(t, 10*time.Second, "heartbeat stored", func() bool {
			return metric(t, reg, "pynomaly_heartbeats_received_total", nil) == float64(beats)
		})
	}
	// Heartbeats are handled in turn, NewAgent after the count: once a
	// heartbeat is counted, the one before it has told what it had to.
	beat()
	testkit.WaitFor(t, 10*time.Second, "NewAgent told of the new agent", func() bool { return toldNow() == 1 })
	beat()
	beat()
	if n := toldNow(); n != 1 {
		t.Fatalf("NewAgent told %d times after heartbeats of a stored agent, want 1", n)
	}
	if err := e.store.Unenroll(t.Context(), "legacy-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	beat()
	testkit.WaitFor(t, 10*time.Second, "NewAgent told again of the unenrolled agent reporting in", func() bool { return toldNow() == 2 })
	beat()
	beat()
	if n := toldNow(); n != 2 {
		t.Fatalf("NewAgent told %d times after heartbeats of the returned agent, want 2", n)
	}
}
