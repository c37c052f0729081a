package store_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

func heartbeat(agent string, sent time.Time, depth int64) protocol.Heartbeat {
	return protocol.Heartbeat{
		Version:         protocol.HeartbeatVersion,
		AgentID:         agent,
		Hostname:        agent + ".plant-a",
		AgentVersion:    "0.3.1",
		SentAt:          sent,
		StartedAt:       sent.Add(-time.Hour),
		IntervalSeconds: 15,
		OutboxDepth:     depth,
		// The outbox's state and age arrived with migration 0002.
		OutboxOldestSeconds: 42.5,
		Outbox:              protocol.ComponentHealth{Name: "outbox", Status: protocol.HealthDegraded, Error: "moved aside"},
		Inputs:              []protocol.ComponentHealth{{Name: "mqtt", Status: protocol.HealthOK}},
		Detectors: []protocol.ComponentHealth{
			{Name: "zscore", Status: protocol.HealthDegraded, Error: "warming up"},
		},
		// What became of the desired state arrived with migration 0003.
		Config: &protocol.AppliedConfig{Hash: "aa", Status: protocol.ConfigFailed, Error: "unknown detector",
			RunningHash: "bb", AppliedAt: sent.Add(-time.Minute).UTC()},
	}
}

func TestUpsertHeartbeat(t *testing.T) {
	later := heartbeat("edge-1", t0.Add(15*time.Second), 7)
	later.AgentVersion, later.Hostname = "0.4.0", "renamed"
	later.Inputs, later.Detectors, later.Outbox, later.OutboxOldestSeconds, later.Config = nil, nil, protocol.ComponentHealth{}, 0, nil
	tests := []struct {
		name string
		hbs  []protocol.Heartbeat
		want store.AgentRecord
	}{
		{
			name: "first heartbeat",
			hbs:  []protocol.Heartbeat{heartbeat("edge-1", t0, 3)},
			want: record(heartbeat("edge-1", t0, 3), t0.Add(time.Second)),
		},
		{
			name: "later heartbeat replaces every field",
			hbs:  []protocol.Heartbeat{heartbeat("edge-1", t0, 3), later},
			want: record(later, t0.Add(2*time.Second)),
		},
		{
			name: "zero started_at stays zero",
			hbs:  []protocol.Heartbeat{{AgentID: "edge-1", SentAt: t0, IntervalSeconds: 1}},
			want: store.AgentRecord{ID: "edge-1", LastHeartbeat: t0.Add(time.Second).UTC(), AgentClock: t0.UTC(), IntervalSeconds: 1, Labels: map[string]string{}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openTestStore(t)
			for i, hb := range tc.hbs {
				if _, err := s.UpsertHeartbeat(t.Context(), hb, t0.Add(time.Duration(i+1)*time.Second)); err != nil {
					t.Fatal(err)
				}
			}
			agents, err := s.ListAgents(t.Context(), store.AgentFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(agents) != 1 || !reflect.DeepEqual(agents[0], tc.want) {
				t.Fatalf("ListAgents =\n%+v\nwant one record\n%+v", agents, tc.want)
			}
		})
	}
}

// TestUpsertHeartbeatCreated: a heartbeat reports that it added the agent
// when the store did not have it: at a shared-token agent's first
// heartbeat, and at its first after it was unenrolled; not at the next
// ones, nor at an enrolled agent's.
func TestUpsertHeartbeatCreated(t *testing.T) {
	s, _ := openTestStore(t)
	beat := func(id string, want bool) {
		t.Helper()
		created, err := s.UpsertHeartbeat(t.Context(), heartbeat(id, t0, 3), t0)
		if err != nil {
			t.Fatal(err)
		}
		if created != want {
			t.Fatalf("heartbeat of %s: created %v, want %v", id, created, want)
		}
	}
	beat("edge-1", true)
	beat("edge-1", false)
	if err := s.Unenroll(t.Context(), "edge-1", t0); err != nil {
		t.Fatal(err)
	}
	beat("edge-1", true) // no credentials to revoke: it comes back
	beat("edge-1", false)

	newToken(t, s, "tok", nil)
	if _, err := s.Enroll(t.Context(), store.Enrollment{TokenHash: "tok", AgentID: "edge-2", SecretHash: "s", Now: t0}); err != nil {
		t.Fatal(err)
	}
	beat("edge-2", false) // enrolling added it
}

// record is what ListAgents should return for hb received at receivedAt.
func record(hb protocol.Heartbeat, receivedAt time.Time) store.AgentRecord {
	var outbox *protocol.ComponentHealth
	if hb.Outbox != (protocol.ComponentHealth{}) {
		outbox = &hb.Outbox
	}
	return store.AgentRecord{
		OutboxOldestSeconds: hb.OutboxOldestSeconds,
		Outbox:              outbox,
		ID:                  hb.AgentID,
		Hostname:            hb.Hostname,
		Version:             hb.AgentVersion,
		LastHeartbeat:       receivedAt.UTC(),
		AgentClock:          hb.SentAt.UTC(),
		StartedAt:           hb.StartedAt.UTC(),
		IntervalSeconds:     hb.IntervalSeconds,
		OutboxDepth:         hb.OutboxDepth,
		Inputs:              hb.Inputs,
		Detectors:           hb.Detectors,
		Config:              hb.Config,
		Labels:              map[string]string{},
	}
}

func TestGetAgent(t *testing.T) {
	s, _ := openTestStore(t)
	hb := heartbeat("edge-1", t0, 3)
	if _, err := s.UpsertHeartbeat(t.Context(), hb, t0); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetAgent(t.Context(), "edge-1")
	if err != nil || !reflect.DeepEqual(got, record(hb, t0)) {
		t.Errorf("GetAgent = %+v, %v\nwant %+v", got, err, record(hb, t0))
	}
	if _, err := s.GetAgent(t.Context(), "edge-2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetAgent of an unknown id: %v, want ErrNotFound", err)
	}
}

func TestListAgentsOrderedByID(t *testing.T) {
	s, _ := openTestStore(t)
	agents, err := s.ListAgents(t.Context(), store.AgentFilter{})
	if err != nil || agents == nil || len(agents) != 0 {
		t.Fatalf("empty store: ListAgents = %#v, %v; want an empty non-nil slice", agents, err)
	}
	for _, id := range []string{"edge-b", "edge-10", "edge-a", "edge-2", "Edge-z"} {
		if _, err := s.UpsertHeartbeat(t.Context(), heartbeat(id, t0, 0), t0); err != nil {
			t.Fatal(err)
		}
	}
	agents, err = s.ListAgents(t.Context(), store.AgentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range agents {
		got = append(got, a.ID)
	}
	if want := []string{"Edge-z", "edge-10", "edge-2", "edge-a", "edge-b"}; !slices.Equal(got, want) {
		t.Fatalf("ListAgents ids = %v, want %v", got, want)
	}
}

func TestUpsertHeartbeatRejectsMissingAgentID(t *testing.T) {
	s, _ := openTestStore(t)
	if _, err := s.UpsertHeartbeat(t.Context(), protocol.Heartbeat{SentAt: t0}, t0); err == nil {
		t.Fatal("UpsertHeartbeat without agent id succeeded")
	}
}

// TestUsersAndKeys: a taken user name is ErrExists on both databases; a
// revoked key is not found; a refresh token is spent once.
func TestUsersAndKeys(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := t.Context()
	u := store.User{ID: "u1", Username: "alice", PasswordHash: "h", Role: "admin", CreatedAt: t0}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	u.ID = "u2"
	if err := s.CreateUser(ctx, u); !errors.Is(err, store.ErrExists) {
		t.Errorf("second alice: %v, want ErrExists", err)
	}
	if err := s.CreateAPIKey(ctx, store.APIKey{ID: "k1", Name: "ci", KeyHash: "kh", Role: "viewer", CreatedBy: "alice", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if k, err := s.APIKeyByHash(ctx, "kh"); err != nil || k.Name != "ci" {
		t.Errorf("APIKeyByHash = %+v, %v", k, err)
	}
	if err := s.RevokeAPIKey(ctx, "k1", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.APIKeyByHash(ctx, "kh"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked key: %v, want ErrNotFound", err)
	}
	if err := s.SaveRefreshToken(ctx, "rh", "u1", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if id, err := s.UseRefreshToken(ctx, "rh", t0); err != nil || id != "u1" {
		t.Errorf("first use: %q, %v", id, err)
	}
	if _, err := s.UseRefreshToken(ctx, "rh", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second use: %v, want ErrNotFound", err)
	}
}
