package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

func newToken(t *testing.T, s *store.Store, hash string, edit func(*store.EnrollmentToken)) store.EnrollmentToken {
	t.Helper()
	tok := store.EnrollmentToken{ID: "id-" + hash, TokenHash: hash, Labels: map[string]string{"site": "a"},
		CreatedBy: "test", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	if edit != nil {
		edit(&tok)
	}
	if err := s.CreateEnrollmentToken(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestEnrollTokenStates(t *testing.T) {
	s, _ := openTestStore(t)
	newToken(t, s, "ok", func(tk *store.EnrollmentToken) { tk.Policy = "pumps" })
	newToken(t, s, "old", func(tk *store.EnrollmentToken) { tk.ExpiresAt = t0.Add(-time.Second) })
	newToken(t, s, "gone", func(tk *store.EnrollmentToken) { tk.RevokedAt = t0 })
	newToken(t, s, "once", func(tk *store.EnrollmentToken) { tk.MaxUses = 1 })
	try := func(hash, id string) (store.Enrolled, error) {
		return s.Enroll(t.Context(), store.Enrollment{TokenHash: hash, AgentID: id, Hostname: id + ".lan", Version: "1", SecretHash: "h-" + id, Now: t0})
	}
	for hash, want := range map[string]error{"nothing": store.ErrTokenUnknown, "old": store.ErrTokenExpired, "gone": store.ErrTokenRevoked} {
		if _, err := try(hash, "edge-x"); !errors.Is(err, want) {
			t.Errorf("enroll with token %s: %v, want %v", hash, err, want)
		}
	}
	got, err := try("ok", "edge-1")
	if err != nil || got.AgentID != "edge-1" || got.Policy != "pumps" || got.Labels["site"] != "a" || got.Replaced {
		t.Fatalf("enroll: %+v, %v", got, err)
	}
	if h, err := s.AgentSecretHash(t.Context(), "edge-1"); err != nil || h != "h-edge-1" {
		t.Errorf("AgentSecretHash = %q, %v", h, err)
	}
	a, err := s.GetAgent(t.Context(), "edge-1")
	if err != nil || a.Hostname != "edge-1.lan" || !a.EnrolledAt.Equal(t0) || a.Policy != "pumps" || !a.LastHeartbeat.IsZero() {
		t.Errorf("agent row after enrollment: %+v, %v", a, err)
	}
	// Two agents racing for the last use of a token: one wins.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { _, errs[i] = try("once", fmt.Sprintf("race-%d", i)) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) || !errors.Is(errors.Join(errs...), store.ErrTokenUsedUp) {
		t.Errorf("racing for one use: %v", errs)
	}
	toks, err := s.ListEnrollmentTokens(t.Context())
	if err != nil || len(toks) != 4 {
		t.Fatalf("ListEnrollmentTokens: %d, %v", len(toks), err)
	}
	for _, tk := range toks {
		if tk.ID == "id-once" && tk.Uses != 1 {
			t.Errorf("token once used %d times", tk.Uses)
		}
	}
	if err := s.RevokeEnrollmentToken(t.Context(), "id-nothing", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoke unknown token: %v", err)
	}
	if err := s.RevokeEnrollmentToken(t.Context(), "id-ok", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := try("ok", "edge-2"); !errors.Is(err, store.ErrTokenRevoked) {
		t.Errorf("enroll after revoke: %v", err)
	}
}

func TestEnrollIdentity(t *testing.T) {
	s, _ := openTestStore(t)
	newToken(t, s, "tok", nil)
	enroll := func(id, secret, prevID, prevSecret string) store.Enrolled {
		t.Helper()
		e, err := s.Enroll(t.Context(), store.Enrollment{TokenHash: "tok", AgentID: id, SecretHash: secret,
			PreviousID: prevID, PreviousSecretHash: prevSecret, Now: t0})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	// A host that reported in with the shared token takes its id over.
	if _, err := s.UpsertHeartbeat(t.Context(), protocol.Heartbeat{Version: 1, AgentID: "edge-1", SentAt: t0, IntervalSeconds: 10}, t0); err != nil {
		t.Fatal(err)
	}
	if e := enroll("edge-1", "s1", "", ""); e.AgentID != "edge-1" {
		t.Fatalf("first enrollment: %+v", e)
	}
	if _, err := s.UpdateLabels(t.Context(), "edge-1", map[string]string{"role": "pump"}, nil); err != nil {
		t.Fatal(err)
	}
	// Proving the old secret keeps the id and the labels.
	if e := enroll("whatever", "s2", "edge-1", "s1"); e.AgentID != "edge-1" || !e.Replaced || e.Labels["role"] != "pump" {
		t.Fatalf("re-enrollment: %+v", e)
	}
	if h, _ := s.AgentSecretHash(t.Context(), "edge-1"); h != "s2" {
		t.Errorf("secret after re-enrollment: %q", h)
	}
	// A wrong old secret is a new host asking for a held id: suffixed.
	e := enroll("edge-1", "s3", "edge-1", "s1")
	if e.Replaced || !strings.HasPrefix(e.AgentID, "edge-1-") || len(e.AgentID) != len("edge-1-")+6 || protocol.ValidateAgentID(e.AgentID) != nil {
		t.Errorf("held id: %+v", e)
	}
	// A 128-character id stays within the limit with its suffix.
	long := strings.Repeat("x", 128)
	enroll(long, "s4", "", "")
	if e := enroll(long, "s5", "", ""); len(e.AgentID) != 128 || protocol.ValidateAgentID(e.AgentID) != nil {
		t.Errorf("suffixed long id %q (%d)", e.AgentID, len(e.AgentID))
	}
	// Unenrolled: credentials void, out of the list, and a late heartbeat
	// does not bring it back; enrolling again brings it back.
	if err := s.Unenroll(t.Context(), "edge-1", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AgentSecretHash(t.Context(), "edge-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("secret after unenroll: %v", err)
	}
	if created, err := s.UpsertHeartbeat(t.Context(), protocol.Heartbeat{Version: 1, AgentID: "edge-1", SentAt: t0, IntervalSeconds: 10}, t0); err != nil || created {
		t.Fatalf("late heartbeat of an unenrolled agent: created %v, %v", created, err)
	}
	if _, err := s.GetAgent(t.Context(), "edge-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unenrolled agent after a late heartbeat: %v", err)
	}
	if err := s.Unenroll(t.Context(), "edge-1", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second unenroll: %v", err)
	}
	if e := enroll("edge-1", "s6", "", ""); e.AgentID != "edge-1" || len(e.Labels) != 1 {
		t.Errorf("enrolling an unenrolled id again: %+v (want it back with the token's labels only)", e)
	}
}

func TestListAgentsByLabel(t *testing.T) {
	s, _ := openTestStore(t)
	newToken(t, s, "tok", func(tk *store.EnrollmentToken) { tk.Labels = nil })
	for i := range 50 {
		id := fmt.Sprintf("a%02d", i)
		if _, err := s.Enroll(t.Context(), store.Enrollment{TokenHash: "tok", AgentID: id, SecretHash: id, Now: t0}); err != nil {
			t.Fatal(err)
		}
		labels := map[string]string{"site": []string{"x", "y"}[i%2], "rack": fmt.Sprint(i % 5)}
		if _, err := s.UpdateLabels(t.Context(), id, labels, nil); err != nil {
			t.Fatal(err)
		}
	}
	list := func(f store.AgentFilter) []string {
		t.Helper()
		as, err := s.ListAgents(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, a := range as {
			if a.Labels["site"] == "" {
				t.Errorf("agent %s listed without its labels", a.ID)
			}
			ids = append(ids, a.ID)
		}
		return ids
	}
	if got := list(store.AgentFilter{Labels: map[string]string{"site": "y", "rack": "3"}}); !slices.Equal(got, []string{"a03", "a13", "a23", "a33", "a43"}) {
		t.Errorf("site=y,rack=3: %v", got)
	}
	if got := list(store.AgentFilter{Labels: map[string]string{"site": "x"}, After: "a10", Limit: 3}); !slices.Equal(got, []string{"a12", "a14", "a16"}) {
		t.Errorf("site=x after a10, 3: %v", got)
	}
	if got := list(store.AgentFilter{Labels: map[string]string{"site": "z"}}); len(got) != 0 {
		t.Errorf("site=z: %v", got)
	}
	if got := list(store.AgentFilter{After: "a47"}); !slices.Equal(got, []string{"a48", "a49"}) {
		t.Errorf("after a47: %v", got)
	}
	labels, err := s.UpdateLabels(t.Context(), "a01", map[string]string{"new": "1"}, []string{"rack", "absent"})
	if err != nil || !maps.Equal(labels, map[string]string{"site": "y", "new": "1"}) {
		t.Errorf("UpdateLabels = %v, %v", labels, err)
	}
	if _, err := s.UpdateLabels(t.Context(), "nobody", map[string]string{"a": "b"}, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateLabels of an unknown agent: %v", err)
	}
}

// BenchmarkListAgentsByLabel is one page (100) of one site's agents out of
// 10,000, the query behind GET /api/v1/agents?label=site=….
func BenchmarkListAgentsByLabel(b *testing.B) {
	s, _ := openTestStore(b)
	const agents, perSite = 10000, 100
	for site := range agents / perSite {
		hash := fmt.Sprintf("tok-%d", site)
		tok := store.EnrollmentToken{ID: hash, TokenHash: hash, Labels: map[string]string{"site": fmt.Sprintf("s%03d", site), "fleet": "bench"},
			CreatedBy: "bench", CreatedAt: t0}
		if err := s.CreateEnrollmentToken(b.Context(), tok); err != nil {
			b.Fatal(err)
		}
		for i := range perSite {
			id := fmt.Sprintf("gw-%05d", site*perSite+i)
			if _, err := s.Enroll(b.Context(), store.Enrollment{TokenHash: hash, AgentID: id, SecretHash: id, Now: t0}); err != nil {
				b.Fatal(err)
			}
		}
	}
	f := store.AgentFilter{Labels: map[string]string{"site": "s050"}, Limit: 101}
	for b.Loop() {
		as, err := s.ListAgents(b.Context(), f)
		if err != nil || len(as) != perSite {
			b.Fatalf("%d agents, %v", len(as), err)
		}
	}
}

// FuzzParseLabels: the fast reader of the labels column agrees with
// encoding/json on every document, and fails where it fails.
func FuzzParseLabels(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":"b"}`, `{"a":"b","c/d":""}`, `{"a":"b",}`, `{"a":1}`, `null`, `{"a":"\"q"}`, `{"a" :"b"}`, ``, `{"a":"b"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		got, err := store.ParseLabels(doc)
		want := map[string]string{}
		werr := json.Unmarshal([]byte(doc), &want)
		if werr != nil {
			if err == nil {
				t.Fatalf("%q: parsed %v, encoding/json refuses it (%v)", doc, got, werr)
			}
			return
		}
		if err != nil {
			t.Fatalf("%q: %v, encoding/json reads %v", doc, err, want)
		}
		if want == nil {
			want = map[string]string{}
		}
		if !maps.Equal(got, want) {
			t.Fatalf("%q: %v, encoding/json reads %v", doc, got, want)
		}
	})
}
