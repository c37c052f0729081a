package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/auth"
	"github.com/pynomaly/pynomaly/controlplane/policy"
	"github.com/pynomaly/pynomaly/protocol"
)

// call sends a request as role and decodes a JSON answer into out (if not
// nil); it returns the status.
func (a *authAPI) call(t *testing.T, role, method, path, body string, out any) int {
	t.Helper()
	resp, b := a.request(t, method, path, body, map[string]string{"Authorization": "Bearer " + a.tokens[role]})
	if out != nil {
		if err := json.Unmarshal([]byte(b), out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

// TestPolicyBadRequests: each refused policy gets its status and error code.
func TestPolicyBadRequests(t *testing.T) {
	a := newAuthAPI(t)
	if code, _ := a.as(t, auth.Operator, "POST", "/api/v1/policies", `{"name": "taken", "selector": "*", "pipeline": "detector: {type: zscore}"}`); code != http.StatusCreated {
		t.Fatalf("create: %d", code)
	}
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"bad selector", "PUT", "/api/v1/policies/p", `{"selector": "site in a", "pipeline": "decision: {threshold: 0.9}"}`, 400, "invalid"},
		{"unknown section", "PUT", "/api/v1/policies/p", `{"selector": "*", "pipeline": "uplink: {url: nats://x}"}`, 400, "invalid"},
		{"unknown model", "PUT", "/api/v1/policies/p", `{"selector": "*", "models": [{"input": "a", "name": "m", "version": "9"}]}`, 400, "unknown_model"},
		{"duplicate name", "POST", "/api/v1/policies", `{"name": "taken", "selector": "*", "pipeline": "detector: {type: hst}"}`, 409, "exists"},
		{"bad priority", "PUT", "/api/v1/policies/p", `{"selector": "*", "priority": 5000, "pipeline": "detector: {type: hst}"}`, 400, "invalid"},
		{"priority not an integer", "PUT", "/api/v1/policies/p", `{"selector": "*", "priority": 1.5}`, 400, "invalid_json"},
		{"bad name", "POST", "/api/v1/policies", `{"name": "Pumps!", "selector": "*", "pipeline": "detector: {type: hst}"}`, 400, "invalid"},
		{"name differs from the path", "PUT", "/api/v1/policies/p", `{"name": "q", "selector": "*"}`, 400, "invalid"},
		{"unknown field", "PUT", "/api/v1/policies/p", `{"selectors": "*"}`, 400, "invalid_json"},
		{"bad dry run", "PUT", "/api/v1/policies/p?dry_run=true", `{"selector": "*", "pipeline": "detector: zscore"}`, 400, "invalid"},
		{"no earlier revision", "POST", "/api/v1/policies/taken/rollback", `{}`, 404, "not_found"},
		{"unknown revision", "POST", "/api/v1/policies/taken/rollback", `{"revision": 7}`, 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, ec := a.as(t, auth.Operator, tc.method, tc.path, tc.body); code != tc.status || ec != tc.code {
				t.Errorf("%d %s, want %d %s", code, ec, tc.status, tc.code)
			}
		})
	}
	var list struct{ Policies []struct{ Name string } }
	if a.call(t, auth.Viewer, "GET", "/api/v1/policies", "", &list); len(list.Policies) != 1 {
		t.Errorf("policies after refusals: %+v, want only the first", list.Policies)
	}
}

// TestPolicyAPI: dry run, apply, preview, revisions and rollback through
// HTTP, and a manual desired state that pins its agent until deleted.
func TestPolicyAPI(t *testing.T) {
	a := newAuthAPI(t)
	hb := protocol.Heartbeat{Version: 1, AgentID: "edge-1", SentAt: time.Now(), IntervalSeconds: 10}
	if _, err := a.store.UpsertHeartbeat(t.Context(), hb, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.UpdateLabels(t.Context(), "edge-1", map[string]string{"site": "a"}, nil); err != nil {
		t.Fatal(err)
	}
	body := func(threshold string) string {
		return `{"selector": "site=a", "priority": 10, "pipeline": "decision: {threshold: ` + threshold + `}\n"}`
	}
	var preview api.PolicyPreview
	if code := a.call(t, auth.Operator, "PUT", "/api/v1/policies/site-a?dry_run=true", body("0.9"), &preview); code != 200 ||
		len(preview.Agents) != 1 || preview.Agents[0].AgentID != "edge-1" || preview.Agents[0].Sections[0] != "decision" {
		t.Fatalf("dry run: %d %+v", code, preview)
	}
	if code, _ := a.as(t, auth.Viewer, "GET", "/api/v1/policies/site-a", ""); code != http.StatusNotFound {
		t.Errorf("after a dry run GET: %d, want 404", code)
	}
	var res policy.Result
	if code := a.call(t, auth.Operator, "PUT", "/api/v1/policies/site-a", body("0.9"), &res); code != http.StatusCreated || res.Agents.Updated != 1 {
		t.Fatalf("apply: %d %+v", code, res)
	}
	if code := a.call(t, auth.Operator, "PUT", "/api/v1/policies/site-a", body("0.8"), &res); code != http.StatusOK || res.Policy.Revision != 2 {
		t.Fatalf("update: %d %+v", code, res)
	}
	var revs struct{ Revisions []struct{ Revision int } }
	if a.call(t, auth.Viewer, "GET", "/api/v1/policies/site-a/revisions", "", &revs); len(revs.Revisions) != 2 || revs.Revisions[0].Revision != 2 {
		t.Errorf("revisions: %+v", revs)
	}
	if code := a.call(t, auth.Operator, "POST", "/api/v1/policies/site-a/rollback", `{}`, &res); code != 200 || res.Policy.RestoredFrom != 1 {
		t.Errorf("rollback: %d %+v", code, res)
	}
	desiredPipeline := func() (string, string) {
		var v api.DesiredView
		a.call(t, auth.Viewer, "GET", "/api/v1/agents/edge-1/desired", "", &v)
		return v.State.Pipeline, v.State.Source
	}
	if p, src := desiredPipeline(); p != "decision: {threshold: 0.9}\n" || src != "policies" {
		t.Errorf("desired after rollback: %q from %q", p, src)
	}

	// A manual state pins the agent: the policy reports it and leaves it.
	a.call(t, auth.Operator, "PUT", "/api/v1/agents/edge-1/desired", `{"pipeline": "decision: {threshold: 0.5}\n"}`, nil)
	if a.call(t, auth.Operator, "PUT", "/api/v1/policies/site-a", body("0.7"), &res); len(res.Agents.Pinned) != 1 {
		t.Errorf("apply over a manual state: %+v", res.Agents)
	}
	if p, src := desiredPipeline(); p != "decision: {threshold: 0.5}\n" || src != "" {
		t.Errorf("manual state after apply: %q from %q", p, src)
	}
	if a.call(t, auth.Viewer, "GET", "/api/v1/policies/site-a/agents", "", &preview); !preview.Agents[0].Pinned {
		t.Errorf("preview of a pinned agent: %+v", preview.Agents)
	}
	// Deleting it gives the agent back to the policy.
	if code := a.call(t, auth.Operator, "DELETE", "/api/v1/agents/edge-1/desired", "", nil); code != http.StatusNoContent {
		t.Fatalf("delete desired: %d", code)
	}
	if p, src := desiredPipeline(); p != "decision: {threshold: 0.7}\n" || src != "policies" {
		t.Errorf("desired after unpinning: %q from %q", p, src)
	}
	if code := a.call(t, auth.Operator, "DELETE", "/api/v1/policies/site-a", "", &res); code != 200 || res.Agents.Removed != 1 {
		t.Errorf("delete policy: %d %+v", code, res)
	}
	if code, _ := a.as(t, auth.Viewer, "GET", "/api/v1/agents/edge-1/desired", ""); code != http.StatusNotFound {
		t.Errorf("desired after the policy went: %d, want 404", code)
	}
	if _, b := a.request(t, "GET", "/api/v1/audit", "", map[string]string{"Authorization": "Bearer " + a.tokens[auth.Admin]}); !strings.Contains(b, "/api/v1/policies/:name/rollback") {
		t.Errorf("audit log lacks the rollback: %s", b)
	}
}
