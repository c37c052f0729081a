package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/policy"
	"github.com/pynomaly/pynomaly/controlplane/server"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

// TestPoliciesFollowTheFleet: two enrolled agents with different labels
// and two policies get the desired states the policies make; relabelling
// an agent, deleting a policy and unenrolling an agent change them at
// once; on PostgreSQL too, under `make test-postgres`.
func TestPoliciesFollowTheFleet(t *testing.T) {
	db := testkit.PostgresDSN(t)
	srv, _ := startServer(t, t.TempDir(), func(o *server.Options) { o.DatabaseURL = db })
	for id, labels := range map[string]map[string]any{"edge-a": {"site": "a", "role": "pump"}, "edge-b": {"site": "b"}} {
		tok := createToken(t, srv, map[string]any{"labels": labels})
		if got := enroll(t, srv, protocol.EnrollRequest{Token: tok, AgentID: id}); got.AgentID != id {
			t.Fatalf("enrolled as %s, want %s", got.AgentID, id)
		}
	}
	apply := func(name string, body map[string]any) policy.Result {
		var res policy.Result
		call(t, srv, "PUT", "/api/v1/policies/"+name, body, http.StatusCreated, &res)
		return res
	}
	desired := func(id string) string {
		t.Helper()
		var v api.DesiredView
		call(t, srv, "GET", "/api/v1/agents/"+id+"/desired", nil, http.StatusOK, &v)
		return v.State.Pipeline
	}
	const hst, zscore = "detector: {type: hst}\n", "detector: {type: zscore}\n"
	if res := apply("pumps", map[string]any{"selector": "role=pump", "priority": 10, "pipeline": hst}); res.Agents.Updated != 1 {
		t.Errorf("pumps reached %+v, want edge-a", res.Agents)
	}
	if res := apply("everyone", map[string]any{"selector": "*", "pipeline": zscore + "decision: {threshold: 0.99}\n"}); res.Agents.Updated != 2 {
		t.Errorf("everyone reached %+v, want both agents", res.Agents)
	}
	want := map[string]string{
		"edge-a": hst + "decision: {threshold: 0.99}\n",
		"edge-b": zscore + "decision: {threshold: 0.99}\n",
	}
	for id, w := range want {
		if got := desired(id); got != w {
			t.Errorf("%s desired pipeline:\n%s\nwant\n%s", id, got, w)
		}
	}

	// Relabelling moves an agent from one policy to another.
	call(t, srv, "PATCH", "/api/v1/agents/edge-b/labels", map[string]any{"set": map[string]string{"role": "pump"}}, http.StatusOK, nil)
	call(t, srv, "PATCH", "/api/v1/agents/edge-a/labels", map[string]any{"remove": []string{"role"}}, http.StatusOK, nil)
	want["edge-a"], want["edge-b"] = want["edge-b"], want["edge-a"]
	for id, w := range want {
		if got := desired(id); got != w {
			t.Errorf("after relabelling, %s desired pipeline:\n%s\nwant\n%s", id, got, w)
		}
	}

	// Deleting the policy for everyone leaves edge-a with none: its
	// desired state goes; edge-b keeps the pumps' detector only.
	var res policy.Result
	call(t, srv, "DELETE", "/api/v1/policies/everyone", nil, http.StatusOK, &res)
	if res.Agents.Removed != 1 || res.Agents.Updated != 1 {
		t.Errorf("deleting everyone: %+v, want one removed, one updated", res.Agents)
	}
	call(t, srv, "GET", "/api/v1/agents/edge-a/desired", nil, http.StatusNotFound, nil)
	if got := desired("edge-b"); got != hst {
		t.Errorf("edge-b after deleting everyone: %q, want %q", got, hst)
	}

	// An unenrolled agent's rendered state goes with it.
	call(t, srv, "DELETE", "/api/v1/agents/edge-b", nil, http.StatusNoContent, nil)
	call(t, srv, "GET", "/api/v1/agents/edge-b/desired", nil, http.StatusNotFound, nil)
}

// TestPoliciesReachNewSharedTokenAgents: an agent that never enrolled and
// reports in with the shared token gets the policies that apply to it (here
// "*") at its first heartbeat, not only at the next policy change.
func TestPoliciesReachNewSharedTokenAgents(t *testing.T) {
	dir := t.TempDir()
	srv, _ := startServer(t, dir, nil)
	const pipeline = "detector: {type: hst}\n"
	var res policy.Result
	call(t, srv, "PUT", "/api/v1/policies/everyone", map[string]any{"selector": "*", "pipeline": pipeline}, http.StatusCreated, &res)
	if res.Agents.Updated != 0 {
		t.Fatalf("a policy over an empty fleet reached %+v", res.Agents)
	}
	nc, err := nats.Connect(srv.NATSURL(), nats.Token(readToken(t, dir)))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	hb := testkit.MustJSON(t, protocol.Heartbeat{Version: 1, AgentID: "legacy-1", SentAt: time.Now(), IntervalSeconds: 10})
	if err := nc.Publish(protocol.HeartbeatSubject("legacy-1"), hb); err != nil {
		t.Fatal(err)
	}
	var v api.DesiredView
	eventually(t, srv.HTTPURL()+"/api/v1/agents/legacy-1/desired", &v, func() bool { return v.State.Pipeline != "" })
	if v.State.Pipeline != pipeline || v.State.Source == "" {
		t.Fatalf("legacy-1's desired state: pipeline %q source %q, want %q from the policies", v.State.Pipeline, v.State.Source, pipeline)
	}
}
