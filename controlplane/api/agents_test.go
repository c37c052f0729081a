package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/protocol"
)

func TestAgentsStatus(t *testing.T) {
	now := t0.Add(24 * time.Hour)
	a := newTestAPI(t, func(o *api.Options) { o.Now = func() time.Time { return now } })
	// Offline after 3 missed intervals plus 2 s of slack.
	failed := []protocol.ComponentHealth{{Name: "line", Status: protocol.HealthFailed, Error: "no such file"}}
	tests := []struct {
		agent    string
		interval float64
		ago      time.Duration
		want     string
		inputs   []protocol.ComponentHealth
		outbox   protocol.ComponentHealth
		skew     time.Duration // agent clock minus control plane clock
	}{
		{agent: "just-now", interval: 10, want: api.StatusOnline},
		{agent: "one-missed", interval: 10, ago: 15 * time.Second, want: api.StatusOnline},
		{agent: "inside-slack", interval: 10, ago: 31 * time.Second, want: api.StatusOnline},
		{agent: "past-slack", interval: 10, ago: 33 * time.Second, want: api.StatusOffline},
		{agent: "slow-interval", interval: 60, ago: 2 * time.Minute, want: api.StatusOnline},
		{agent: "gone", interval: 10, ago: time.Hour, want: api.StatusOffline},
		{agent: "input-failed", interval: 10, want: api.StatusDegraded, inputs: failed},
		{agent: "outbox-set-aside", interval: 10, want: api.StatusDegraded,
			outbox: protocol.ComponentHealth{Name: "outbox", Status: protocol.HealthDegraded, Error: "moved aside"}},
		{agent: "failed-and-gone", interval: 10, ago: time.Hour, want: api.StatusOffline, inputs: failed},
		{agent: "clock-ahead", interval: 10, want: api.StatusOnline, skew: 11 * time.Second},
		{agent: "clock-behind", interval: 10, want: api.StatusOnline, skew: -30 * time.Second},
		{agent: "clock-close", interval: 10, want: api.StatusOnline, skew: 9 * time.Second},
	}
	for _, tc := range tests {
		hb := protocol.Heartbeat{Version: 1, AgentID: tc.agent, Hostname: "host-" + tc.agent, AgentVersion: "0.1.0",
			SentAt: now.Add(-tc.ago + tc.skew), IntervalSeconds: tc.interval, OutboxDepth: 4, Inputs: tc.inputs, Outbox: tc.outbox}
		if _, err := a.store.UpsertHeartbeat(t.Context(), hb, now.Add(-tc.ago)); err != nil {
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
			wantSkewed := tc.skew > 10*time.Second || tc.skew < -10*time.Second
			if ag.ClockSkewSeconds != tc.skew.Seconds() || ag.ClockSkewed != wantSkewed {
				t.Errorf("clock skew %vs flagged %v, want %vs flagged %v", ag.ClockSkewSeconds, ag.ClockSkewed, tc.skew.Seconds(), wantSkewed)
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

// TestAgentsFilterAndGet: the list filters by status, version and last
// heartbeat; one agent is had by id; bad filters are 400.
func TestAgentsFilterAndGet(t *testing.T) {
	now := t0.Add(24 * time.Hour)
	a := newTestAPI(t, func(o *api.Options) { o.Now = func() time.Time { return now } })
	for _, hb := range []struct {
		id, version string
		ago         time.Duration
	}{{"a-new", "1.1.0", 0}, {"b-old", "1.0.0", 0}, {"c-gone", "1.1.0", time.Hour}} {
		h := protocol.Heartbeat{Version: 1, AgentID: hb.id, AgentVersion: hb.version, SentAt: now.Add(-hb.ago), IntervalSeconds: 10}
		if _, err := a.store.UpsertHeartbeat(t.Context(), h, now.Add(-hb.ago)); err != nil {
			t.Fatal(err)
		}
	}
	for query, want := range map[string]string{
		"":                             "a-new,b-old,c-gone",
		"?status=online":               "a-new,b-old",
		"?status=offline,degraded":     "c-gone",
		"?version=1.1.0":               "a-new,c-gone",
		"?version=1.1.0&status=online": "a-new",
		"?seen_since=" + now.Add(-time.Minute).Format(time.RFC3339): "a-new,b-old",
	} {
		var body struct{ Agents []api.Agent }
		if code := a.get(t, "/api/v1/agents"+query, &body); code != http.StatusOK {
			t.Fatalf("%s: %d", query, code)
		}
		var ids []string
		for _, ag := range body.Agents {
			ids = append(ids, ag.ID)
		}
		if got := strings.Join(ids, ","); got != want {
			t.Errorf("agents%s = %s, want %s", query, got, want)
		}
	}
	var one api.Agent
	if code := a.get(t, "/api/v1/agents/c-gone", &one); code != http.StatusOK || one.ID != "c-gone" || one.Status != api.StatusOffline {
		t.Errorf("GET /agents/c-gone: %d %+v", code, one)
	}
	for path, want := range map[string]int{
		"/api/v1/agents/nobody":               http.StatusNotFound,
		"/api/v1/agents/bad.id":               http.StatusBadRequest,
		"/api/v1/agents?status=asleep":        http.StatusBadRequest,
		"/api/v1/agents?seen_since=yesterday": http.StatusBadRequest,
	} {
		var e api.ErrorBody
		if code := a.get(t, path, &e); code != want || e.Error.Message == "" {
			t.Errorf("%s: %d %+v, want %d with a message", path, code, e, want)
		}
	}
}
