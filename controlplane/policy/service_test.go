package policy_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/desired"
	"github.com/pynomaly/pynomaly/controlplane/policy"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

type fixture struct {
	svc     *policy.Service
	store   *store.Store
	desired *desired.Store
}

// newFixture runs a Service over a real SQLite store and a real NATS
// server, with agents (id: labels) that have sent a heartbeat.
func newFixture(t *testing.T, agents map[string]map[string]string) *fixture {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "cp.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	js := testkit.StartNATSServer(t, "t", nil).JetStream()
	ds := desired.New(js)
	for id, labels := range agents {
		hb := protocol.Heartbeat{Version: 1, AgentID: id, SentAt: time.Now(), IntervalSeconds: 10}
		if _, err := st.UpsertHeartbeat(t.Context(), hb, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpdateLabels(t.Context(), id, labels, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ds.PutModel(t.Context(), "pump", "1", "zscore", strings.NewReader("model bytes")); err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: policy.New(policy.Options{Store: st, Desired: ds, JetStream: js}), store: st, desired: ds}
}

// state returns an agent's desired state; nil when it has none.
func (f *fixture) state(t *testing.T, id string) *protocol.DesiredState {
	t.Helper()
	e, err := f.desired.Get(t.Context(), id)
	if errors.Is(err, desired.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return &e.State
}

func (f *fixture) apply(t *testing.T, p store.Policy) policy.Result {
	t.Helper()
	res, err := f.svc.Apply(t.Context(), p, "ops")
	if err != nil {
		t.Fatalf("Apply %s: %v", p.Name, err)
	}
	return res
}

// TestManualStatePins: a desired state set by hand is left alone by
// policies until it is deleted; then the agent's policies apply again.
func TestManualStatePins(t *testing.T) {
	f := newFixture(t, map[string]map[string]string{"edge-1": {"site": "a"}, "edge-2": {"site": "a"}})
	manual := protocol.DesiredState{Pipeline: "decision: {threshold: 0.5}\n"}
	if _, err := f.desired.Put(t.Context(), "edge-1", manual); err != nil {
		t.Fatal(err)
	}
	res := f.apply(t, store.Policy{Name: "site-a", Selector: "site=a", Pipeline: "decision: {threshold: 0.9}\n",
		Models: []store.PolicyModel{{Input: "line-3", Name: "pump", Version: "1"}}})
	if !slices.Equal(res.Agents.Pinned, []string{"edge-1"}) || res.Agents.Updated != 1 || len(res.Agents.Failed) != 0 {
		t.Errorf("apply: %+v, want edge-1 pinned and edge-2 updated", res.Agents)
	}
	if got := f.state(t, "edge-1"); got == nil || got.Pipeline != manual.Pipeline || got.Source != "" {
		t.Errorf("pinned agent's state: %+v", got)
	}
	got := f.state(t, "edge-2")
	if got == nil || got.Source != protocol.DesiredFromPolicies || !slices.Equal(got.Policies, []string{"site-a@1"}) ||
		len(got.Models) != 1 || len(got.Models[0].SHA256) != 64 {
		t.Fatalf("rendered state: %+v", got)
	}
	// Applying the same again writes nothing.
	if res := f.apply(t, store.Policy{Name: "site-a", Selector: "site=a", Pipeline: "decision: {threshold: 0.9}\n",
		Models: []store.PolicyModel{{Input: "line-3", Name: "pump", Version: "1"}}}); res.Changed || res.Agents.Unchanged != 1 {
		t.Errorf("apply again: changed %v, %+v", res.Changed, res.Agents)
	}
	// Deleting the manual state (what DELETE /agents/{id}/desired does)
	// gives the agent back to its policies.
	if err := f.desired.Delete(t.Context(), "edge-1"); err != nil {
		t.Fatal(err)
	}
	f.svc.AgentChanged(t.Context(), "edge-1")
	if got := f.state(t, "edge-1"); got == nil || got.Source != protocol.DesiredFromPolicies || got.Pipeline != "decision: {threshold: 0.9}\n" {
		t.Errorf("unpinned agent's state: %+v", got)
	}
}

// TestCheckUnknownModel: a policy naming a model version nobody uploaded
// is refused before it is stored.
func TestCheckUnknownModel(t *testing.T) {
	f := newFixture(t, nil)
	p := store.Policy{Name: "p", Selector: "*", Models: []store.PolicyModel{{Input: "line-3", Name: "pump", Version: "9"}}}
	if _, err := f.svc.Apply(t.Context(), p, "ops"); !errors.Is(err, policy.ErrUnknownModel) || !strings.Contains(err.Error(), "pump/9") {
		t.Errorf("Apply: %v, want ErrUnknownModel naming pump/9", err)
	}
	if _, err := f.store.GetPolicy(t.Context(), "p"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the refused policy was stored: %v", err)
	}
}

// TestRollbackAndDelete: a rollback renders the earlier content again; a
// delete removes the states only that policy made, and leaves the others
// to the remaining policies.
func TestRollbackAndDelete(t *testing.T) {
	f := newFixture(t, map[string]map[string]string{"edge-1": {"site": "a"}, "edge-2": {"site": "b"}})
	f.apply(t, store.Policy{Name: "all", Selector: "*", Pipeline: "detector: {type: zscore}\n"})
	f.apply(t, store.Policy{Name: "site-a", Selector: "site=a", Priority: 5, Pipeline: "detector: {type: hst}\n"})
	f.apply(t, store.Policy{Name: "site-a", Selector: "site=a", Priority: 5, Pipeline: "detector: {type: iforest}\n"})
	if got := f.state(t, "edge-1"); got == nil || got.Pipeline != "detector: {type: iforest}\n" {
		t.Fatalf("edge-1 after update: %+v", got)
	}
	res, err := f.svc.Rollback(t.Context(), "site-a", 0, "ops")
	if err != nil || res.Policy.Revision != 3 || res.Policy.RestoredFrom != 1 || res.Agents.Updated != 1 {
		t.Fatalf("Rollback = %+v, %v", res, err)
	}
	if got := f.state(t, "edge-1"); got == nil || got.Pipeline != "detector: {type: hst}\n" || !slices.Equal(got.Policies, []string{"site-a@3", "all@1"}) {
		t.Errorf("edge-1 after rollback: %+v", got)
	}
	if res, err := f.svc.Delete(t.Context(), "site-a"); err != nil || res.Agents.Updated != 1 {
		t.Fatalf("Delete site-a = %+v, %v", res, err)
	}
	if got := f.state(t, "edge-1"); got == nil || got.Pipeline != "detector: {type: zscore}\n" {
		t.Errorf("edge-1 after deleting site-a: %+v", got)
	}
	if res, err := f.svc.Delete(t.Context(), "all"); err != nil || res.Agents.Removed != 2 {
		t.Fatalf("Delete all = %+v, %v", res, err)
	}
	for _, id := range []string{"edge-1", "edge-2"} {
		if got := f.state(t, id); got != nil {
			t.Errorf("%s keeps a state after its last policy went: %+v", id, got)
		}
	}
}

// TestPreview: which agents a policy reaches and what it wins there.
func TestPreview(t *testing.T) {
	f := newFixture(t, map[string]map[string]string{"edge-1": {"site": "a"}, "edge-2": {"site": "b"}})
	f.apply(t, store.Policy{Name: "strong", Selector: "site=a", Priority: 9, Pipeline: "detector: {type: hst}\n"})
	ms, err := f.svc.Preview(t.Context(), store.Policy{Name: "weak", Selector: "*", Pipeline: "detector: {type: zscore}\ndecision: {threshold: 0.9}\n"})
	if err != nil || len(ms) != 2 {
		t.Fatalf("Preview = %+v, %v", ms, err)
	}
	if m := ms[0]; m.AgentID != "edge-1" || m.Via != policy.ViaSelector || !slices.Equal(m.Sections, []string{"decision"}) {
		t.Errorf("edge-1: %+v, want only decision won", m)
	}
	if m := ms[1]; m.AgentID != "edge-2" || !slices.Equal(m.Sections, []string{"detector", "decision"}) {
		t.Errorf("edge-2: %+v, want both sections", m)
	}
	if _, err := f.store.GetPolicy(t.Context(), "weak"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Preview stored the policy: %v", err)
	}
}
