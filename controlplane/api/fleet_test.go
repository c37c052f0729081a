package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/auth"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

// do sends a request as role and decodes a 2xx JSON answer into out.
func (a *authAPI) do(t *testing.T, role, method, path, body string, want int, out any) {
	t.Helper()
	resp, b := a.request(t, method, path, body, map[string]string{"Authorization": "Bearer " + a.tokens[role]})
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, b, want)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(b), out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

func (a *authAPI) newToken(t *testing.T, body string) string {
	t.Helper()
	tok, _ := a.newTokenID(t, body)
	return tok
}

func (a *authAPI) newTokenID(t *testing.T, body string) (string, string) {
	t.Helper()
	var tok struct {
		store.EnrollmentToken
		Token string
	}
	a.do(t, auth.Operator, "POST", "/api/v1/enrollment-tokens", body, http.StatusCreated, &tok)
	if !strings.HasPrefix(tok.Token, "pne_") || tok.CreatedBy != "operator-user" {
		t.Fatalf("token %+v", tok)
	}
	return tok.Token, tok.ID
}

func TestEnrollmentTokenRefusals(t *testing.T) {
	a := newAuthAPI(t)
	for body, want := range map[string]string{
		`{"ttl": "forever"}`:             "ttl",
		`{"ttl": "-1h"}`:                 "ttl",
		`{"ttl": "9000h"}`:               "ttl",
		`{"labels": {"bad label": "x"}}`: "label name",
		`{"labels": {"site": "a b"}}`:    "value",
		`{"max_uses": -1}`:               "max_uses",
		`{"policy": "Has Spaces"}`:       "policy name",
		`{"lables": {}}`:                 "lables",
		`{"description": "` + strings.Repeat("d", 300) + `"}`: "description",
	} {
		resp, b := a.request(t, "POST", "/api/v1/enrollment-tokens", body, map[string]string{"Authorization": "Bearer " + a.tokens[auth.Operator]})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, want) {
			t.Errorf("POST %s: %d %s, want 400 naming %q", body, resp.StatusCode, b, want)
		}
	}
}

func TestEnrollRefusals(t *testing.T) {
	a := newAuthAPI(t)
	good := a.newToken(t, `{"max_uses": 1}`)
	revoked, revokedID := a.newTokenID(t, `{}`)
	a.do(t, auth.Operator, "DELETE", "/api/v1/enrollment-tokens/"+revokedID, "", http.StatusNoContent, nil)
	var list struct{ Tokens []store.EnrollmentToken }
	a.do(t, auth.Operator, "GET", "/api/v1/enrollment-tokens", "", http.StatusOK, &list)
	if len(list.Tokens) != 2 || strings.Contains(fmt.Sprint(list), "pne_") {
		t.Fatalf("tokens: %+v (the list must not show tokens)", list)
	}
	for _, tk := range list.Tokens {
		if (tk.ID == revokedID) == tk.RevokedAt.IsZero() {
			t.Errorf("token %s revoked_at %v", tk.ID, tk.RevokedAt)
		}
	}
	enroll := func(body string) (int, string) {
		resp, b := a.request(t, "POST", protocol.EnrollPath, body, nil)
		return resp.StatusCode, b
	}
	cases := []struct {
		body string
		code int
		want string
	}{
		{`{"agent_id": "edge-1"}`, 401, "no enrollment token"},
		{`{"token": "pne_nothing", "agent_id": "edge-1"}`, 401, "not known"},
		{`{"token": "` + revoked + `", "agent_id": "edge-1"}`, 401, "revoked"},
		{`{"token": "` + good + `", "agent_id": "edge 1"}`, 400, "agent_id"},
		{`{"token": "` + good + `", "agent_id": ""}`, 400, "agent_id"},
		{`{"token": "` + good + `", "agent_id": "edge-1", "extra": 1}`, 400, "extra"},
		{`{"token": "` + good + `", "agent_id": "edge-1", "hostname": "` + strings.Repeat("h", 300) + `"}`, 400, "hostname"},
		{`{"token": "` + good + `", "agent_id": "edge-1"}`, 201, "nats://cp.test:4222"},
		{`{"token": "` + good + `", "agent_id": "edge-2"}`, 401, "used"},
	}
	for _, c := range cases {
		if code, b := enroll(c.body); code != c.code || !strings.Contains(b, c.want) {
			t.Errorf("enroll %.80s: %d %s, want %d with %q", c.body, code, b, c.code, c.want)
		}
	}
	// An expired token: made with a one-second life, tried after it.
	short := a.newToken(t, `{"ttl": "1s"}`)
	time.Sleep(1100 * time.Millisecond)
	if code, b := enroll(`{"token": "` + short + `", "agent_id": "edge-3"}`); code != 401 || !strings.Contains(b, "expired") {
		t.Errorf("expired token: %d %s", code, b)
	}
	// Every enrollment attempt is in the audit log, refused ones too.
	var audit struct{ Entries []store.AuditEntry }
	a.do(t, auth.Admin, "GET", "/api/v1/audit?limit=100", "", http.StatusOK, &audit)
	n := 0
	for _, e := range audit.Entries {
		if e.Route == protocol.EnrollPath {
			n++
		}
	}
	if n != len(cases)+1 {
		t.Errorf("audit log has %d enrollment attempts, want %d", n, len(cases)+1)
	}
}

func TestLabelsAndListFilters(t *testing.T) {
	a := newAuthAPI(t)
	plantA := a.newToken(t, `{"labels": {"site": "plant-a", "role": "pump"}}`)
	plantB := a.newToken(t, `{"labels": {"site": "plant-b", "role": "pump"}}`)
	for i := range 30 {
		tok := plantA
		if i%3 == 0 {
			tok = plantB
		}
		resp, b := a.request(t, "POST", protocol.EnrollPath, fmt.Sprintf(`{"token": %q, "agent_id": "edge-%02d"}`, tok, i), nil)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("enroll: %d %s", resp.StatusCode, b)
		}
	}
	// A legacy agent that only sends heartbeats has no labels.
	if _, err := a.store.UpsertHeartbeat(t.Context(), protocol.Heartbeat{Version: 1, AgentID: "legacy", SentAt: time.Now(), IntervalSeconds: 10}, time.Now()); err != nil {
		t.Fatal(err)
	}
	a.do(t, auth.Operator, "PATCH", "/api/v1/agents/edge-01/labels", `{"set": {"role": "valve", "zone": "north"}}`, http.StatusOK, nil)
	var patched struct {
		Labels map[string]string `json:"labels"`
	}
	a.do(t, auth.Operator, "PATCH", "/api/v1/agents/edge-01/labels", `{"remove": ["zone"]}`, http.StatusOK, &patched)
	if want := map[string]string{"site": "plant-a", "role": "valve"}; fmt.Sprint(patched.Labels) != fmt.Sprint(want) {
		t.Errorf("labels after patches: %v, want %v", patched.Labels, want)
	}
	for body, want := range map[string]int{
		`{"set": {"a": "b"}, "remove": ["a"]}`: 400,
		`{"set": {"bad key": "b"}}`:            400,
		`{"sett": {}}`:                         400,
	} {
		if code, _ := a.as(t, auth.Operator, "PATCH", "/api/v1/agents/edge-01/labels", body); code != want {
			t.Errorf("PATCH %s: %d, want %d", body, code, want)
		}
	}
	if code, ec := a.as(t, auth.Operator, "PATCH", "/api/v1/agents/nobody/labels", `{"set": {"a": "b"}}`); code != 404 || ec != "not_found" {
		t.Errorf("PATCH an unknown agent: %d %s", code, ec)
	}

	ids := func(query string) ([]string, string) {
		t.Helper()
		var page struct {
			Agents []struct {
				ID     string
				Status string
				Labels map[string]string
			}
			NextCursor string `json:"next_cursor"`
		}
		a.do(t, auth.Viewer, "GET", "/api/v1/agents?"+query, "", http.StatusOK, &page)
		var out []string
		for _, ag := range page.Agents {
			out = append(out, ag.ID)
		}
		return out, page.NextCursor
	}
	got, _ := ids("label=site=plant-b")
	if len(got) != 10 || got[0] != "edge-00" || got[9] != "edge-27" {
		t.Errorf("site=plant-b: %v", got)
	}
	if got, _ := ids("label=site=plant-a&label=role=valve"); !slices.Equal(got, []string{"edge-01"}) {
		t.Errorf("site=plant-a,role=valve: %v", got)
	}
	if got, _ := ids("selector=" + "role+notin+(pump),!zone"); !slices.Equal(got, []string{"edge-01", "legacy"}) {
		t.Errorf("role notin (pump): %v", got)
	}
	if got, _ := ids("status=pending&label=site=plant-b&limit=3"); len(got) != 3 {
		t.Errorf("pending plant-b, limit 3: %v", got)
	}
	// pages follows next_cursor from the first page of query to the last.
	pages := func(query string) []string {
		t.Helper()
		var all []string
		cursor := ""
		for range 40 {
			page, next := ids(query + "&cursor=" + cursor)
			all = append(all, page...)
			if next == "" {
				return all
			}
			cursor = next
		}
		t.Fatalf("%s: still paging after 40 pages", query)
		return nil
	}
	// Pages: 31 agents in pages of 7 give every agent once, in order.
	all := pages("limit=7")
	if len(all) != 31 || !slices.IsSorted(all) || len(slices.Compact(slices.Clone(all))) != len(all) {
		t.Errorf("paged through %d agents: %v", len(all), all)
	}
	// A filter applied after the store (status) still fills pages.
	if pending := pages("status=pending&limit=4"); len(pending) != 30 {
		t.Errorf("paged through %d pending agents, want 30", len(pending))
	}
	for _, q := range []string{"selector=site+in+(a", "label==x", "limit=0", "limit=1001", "cursor=!!!", "status=asleep"} {
		if code, ec := a.as(t, auth.Viewer, "GET", "/api/v1/agents?"+q, ""); code != 400 || ec != "bad_request" {
			t.Errorf("GET /agents?%s: %d %s, want 400", q, code, ec)
		}
	}

	// Unenrolling removes the agent from the list and its labels with it.
	a.do(t, auth.Operator, "DELETE", "/api/v1/agents/edge-00", "", http.StatusNoContent, nil)
	if got, _ := ids("label=site=plant-b"); len(got) != 9 || slices.Contains(got, "edge-00") {
		t.Errorf("plant-b after unenrolling edge-00: %v", got)
	}
	// A heartbeat on its way when it was unenrolled does not bring it back.
	if _, err := a.store.UpsertHeartbeat(t.Context(), protocol.Heartbeat{Version: 1, AgentID: "edge-00", SentAt: time.Now(), IntervalSeconds: 10}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if code, _ := a.as(t, auth.Viewer, "GET", "/api/v1/agents/edge-00", ""); code != 404 {
		t.Errorf("unenrolled agent after a late heartbeat: %d, want 404", code)
	}
}
