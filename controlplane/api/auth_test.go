package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/auth"
	"github.com/pynomaly/pynomaly/controlplane/desired"
	"github.com/pynomaly/pynomaly/controlplane/policy"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/internal/testkit"
)

const testPassword = "correct horse battery"

// authAPI is a test API with authentication on and one user per role.
type authAPI struct {
	*testAPI
	keys   auth.Keys
	tokens map[string]string // access token by role
}

func newAuthAPI(t *testing.T) *authAPI {
	t.Helper()
	keys := auth.Keys{JWT: []byte("test-jwt-secret-test-jwt-secret!"), Secret: []byte("test-secret-key")}
	js := testkit.StartNATSServer(t, "t", nil).JetStream()
	a := &authAPI{keys: keys, tokens: map[string]string{}}
	a.testAPI = newTestAPI(t, func(o *api.Options) {
		o.Desired = desired.New(js)
		o.Policies = policy.New(policy.Options{Store: o.Store.(*store.Store), Desired: o.Desired.(*desired.Store), JetStream: js})
		o.Auth = &api.Auth{Keys: keys, Users: o.Store.(*store.Store)}
		o.Fleet = &api.Fleet{Store: o.Store.(*store.Store), NATSURLs: func(*http.Request) []string { return []string{"nats://cp.test:4222"} }}
	})
	for _, role := range []string{auth.Viewer, auth.Operator, auth.Admin} {
		// One bcrypt hash for every test: under the race detector each
		// costs about a second. Tokens are issued as login would.
		u := store.User{ID: auth.NewID(), Username: role + "-user", PasswordHash: testPasswordHash(t), Role: role, CreatedAt: time.Now()}
		if err := a.store.CreateUser(t.Context(), u); err != nil {
			t.Fatal(err)
		}
		tok, err := keys.IssueAccess(auth.Principal{Kind: "user", ID: u.ID, Name: u.Username, Role: role}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		a.tokens[role] = tok
	}
	return a
}

var testPasswordHash = func() func(*testing.T) string {
	var once sync.Once
	var hash string
	return func(t *testing.T) string {
		once.Do(func() {
			var err error
			if hash, err = auth.HashPassword(testPassword); err != nil {
				t.Fatal(err)
			}
		})
		return hash
	}
}()

// as sends a request with role's token ("" for none) and returns the
// status and the error code, if any.
func (a *authAPI) as(t *testing.T, role, method, path, body string) (int, string) {
	t.Helper()
	h := map[string]string{}
	if role != "" {
		h["Authorization"] = "Bearer " + a.tokens[role]
	}
	resp, b := a.request(t, method, path, body, h)
	var e api.ErrorBody
	if resp.StatusCode >= 400 {
		if err := json.Unmarshal([]byte(b), &e); err != nil || e.Error.Code == "" {
			t.Errorf("%s %s: %d with body %q, want a JSON error", method, path, resp.StatusCode, b)
		}
	}
	return resp.StatusCode, e.Error.Code
}

// routeCase is what the route table knows of one route: the least role
// it needs ("" for public), a path to call it on, and for a route that
// takes JSON or an id, what a malformed body or an unknown id gives.
type routeCase struct {
	role      string
	path      string
	badJSON   bool   // a malformed JSON body is 400
	unknownID string // this path names nothing: 404
}

var routeCases = map[string]routeCase{
	"GET /health":                                {path: "/health"},
	"GET /ready":                                 {path: "/ready"},
	"GET /metrics":                               {path: "/metrics"},
	"GET /api/v1/openapi.json":                   {path: "/api/v1/openapi.json"},
	"POST /api/v1/auth/login":                    {path: "/api/v1/auth/login", badJSON: true},
	"POST /api/v1/auth/refresh":                  {path: "/api/v1/auth/refresh", badJSON: true},
	"GET /api/v1/alerts":                         {role: auth.Viewer, path: "/api/v1/alerts"},
	"GET /api/v1/agents":                         {role: auth.Viewer, path: "/api/v1/agents"},
	"GET /api/v1/agents/:id":                     {role: auth.Viewer, path: "/api/v1/agents/edge-1", unknownID: "/api/v1/agents/nobody"},
	"GET /api/v1/agents/:id/desired":             {role: auth.Viewer, path: "/api/v1/agents/edge-1/desired", unknownID: "/api/v1/agents/nobody/desired"},
	"PUT /api/v1/agents/:id/desired":             {role: auth.Operator, path: "/api/v1/agents/edge-1/desired", badJSON: true},
	"DELETE /api/v1/agents/:id/desired":          {role: auth.Operator, path: "/api/v1/agents/edge-1/desired"},
	"PUT /api/v1/models/:name/versions/:version": {role: auth.Operator, path: "/api/v1/models/m/versions/1"},
	"GET /api/v1/models/:name/versions/:version": {role: auth.Viewer, path: "/api/v1/models/m/versions/1", unknownID: "/api/v1/models/nothing/versions/9"},
	"GET /api/v1/users":                          {role: auth.Admin, path: "/api/v1/users"},
	"POST /api/v1/users":                         {role: auth.Admin, path: "/api/v1/users", badJSON: true},
	"DELETE /api/v1/users/:id":                   {role: auth.Admin, path: "/api/v1/users/x", unknownID: "/api/v1/users/nobody"},
	"GET /api/v1/api-keys":                       {role: auth.Admin, path: "/api/v1/api-keys"},
	"POST /api/v1/api-keys":                      {role: auth.Admin, path: "/api/v1/api-keys", badJSON: true},
	"DELETE /api/v1/api-keys/:id":                {role: auth.Admin, path: "/api/v1/api-keys/x", unknownID: "/api/v1/api-keys/nothing"},
	"GET /api/v1/audit":                          {role: auth.Admin, path: "/api/v1/audit"},
	"GET /api/v1/policies":                       {role: auth.Viewer, path: "/api/v1/policies"},
	"POST /api/v1/policies":                      {role: auth.Operator, path: "/api/v1/policies", badJSON: true},
	"GET /api/v1/policies/:name":                 {role: auth.Viewer, path: "/api/v1/policies/p", unknownID: "/api/v1/policies/nothing"},
	"PUT /api/v1/policies/:name":                 {role: auth.Operator, path: "/api/v1/policies/p", badJSON: true},
	"DELETE /api/v1/policies/:name":              {role: auth.Operator, path: "/api/v1/policies/p", unknownID: "/api/v1/policies/nothing"},
	"GET /api/v1/policies/:name/agents":          {role: auth.Viewer, path: "/api/v1/policies/p/agents", unknownID: "/api/v1/policies/nothing/agents"},
	"GET /api/v1/policies/:name/revisions":       {role: auth.Viewer, path: "/api/v1/policies/p/revisions", unknownID: "/api/v1/policies/nothing/revisions"},
	"POST /api/v1/policies/:name/rollback":       {role: auth.Operator, path: "/api/v1/policies/p/rollback", badJSON: true},
	"POST /api/v1/agents/enroll":                 {path: "/api/v1/agents/enroll", badJSON: true},
	"GET /api/v1/enrollment-tokens":              {role: auth.Operator, path: "/api/v1/enrollment-tokens"},
	"POST /api/v1/enrollment-tokens":             {role: auth.Operator, path: "/api/v1/enrollment-tokens", badJSON: true},
	"DELETE /api/v1/enrollment-tokens/:id":       {role: auth.Operator, path: "/api/v1/enrollment-tokens/x", unknownID: "/api/v1/enrollment-tokens/nothing"},
	"PATCH /api/v1/agents/:id/labels":            {role: auth.Operator, path: "/api/v1/agents/edge-1/labels", badJSON: true},
	"DELETE /api/v1/agents/:id":                  {role: auth.Operator, path: "/api/v1/agents/edge-1", unknownID: "/api/v1/agents/nobody"},
}

// TestEveryRouteChecksItsRole walks the server's route list: a route the
// table does not know fails the test. Every protected route answers 401
// without credentials or with a forged token, 403 to a role below its
// own, and, where it applies, 400 to malformed JSON and 404 to an unknown
// id, each with a JSON error body.
func TestEveryRouteChecksItsRole(t *testing.T) {
	a := newAuthAPI(t)
	below := map[string]string{auth.Operator: auth.Viewer, auth.Admin: auth.Operator}
	forged := "Bearer " + strings.Repeat("x", 20) + ".e30.sig"
	for _, r := range a.h.(*gin.Engine).Routes() {
		name := r.Method + " " + r.Path
		tc, ok := routeCases[name]
		if !ok {
			t.Errorf("route %s has no case in routeCases: say which role it needs", name)
			continue
		}
		if tc.role == "" {
			if code, ec := a.as(t, "", r.Method, tc.path, "{}"); ec == "unauthorized" || code == http.StatusForbidden {
				t.Errorf("public route %s: %d %s without credentials", name, code, ec)
			}
			if tc.badJSON {
				if code, ec := a.as(t, "", r.Method, tc.path, "{"); code != http.StatusBadRequest {
					t.Errorf("%s with malformed JSON: %d %s, want 400", name, code, ec)
				}
			}
			continue
		}
		if code, ec := a.as(t, "", r.Method, tc.path, "{}"); code != http.StatusUnauthorized || ec != "unauthorized" {
			t.Errorf("%s without credentials: %d %s, want 401 unauthorized", name, code, ec)
		}
		if resp, _ := a.request(t, r.Method, tc.path, "{}", map[string]string{"Authorization": forged}); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s with a forged token: %d, want 401", name, resp.StatusCode)
		}
		if low, ok := below[tc.role]; ok {
			if code, ec := a.as(t, low, r.Method, tc.path, "{}"); code != http.StatusForbidden || ec != "forbidden" {
				t.Errorf("%s as %s: %d %s, want 403 forbidden", name, low, code, ec)
			}
		}
		if tc.badJSON {
			if code, ec := a.as(t, tc.role, r.Method, tc.path, `{"name": `); code != http.StatusBadRequest {
				t.Errorf("%s with malformed JSON: %d %s, want 400", name, code, ec)
			}
		}
		if tc.unknownID != "" {
			if code, ec := a.as(t, tc.role, r.Method, tc.unknownID, ""); code != http.StatusNotFound || ec != "not_found" {
				t.Errorf("%s %s: %d %s, want 404 not_found", r.Method, tc.unknownID, code, ec)
			}
		}
	}
}

func TestLoginRefreshAndAPIKeys(t *testing.T) {
	a := newAuthAPI(t)
	// A wrong password and an unknown user answer alike.
	for _, body := range []string{`{"username": "admin-user", "password": "wrong password!"}`, `{"username": "nobody", "password": "whatever password"}`} {
		if resp, b := a.request(t, "POST", "/api/v1/auth/login", body, nil); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(b, "invalid_credentials") {
			t.Errorf("login %s: %d %s, want 401 invalid_credentials", body, resp.StatusCode, b)
		}
	}
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int    `json:"expires_in"`
	}
	_, b := a.request(t, "POST", "/api/v1/auth/login", `{"username": "operator-user", "password": "`+testPassword+`"}`, nil)
	if err := json.Unmarshal([]byte(b), &tok); err != nil || tok.ExpiresIn != 3600 || tok.RefreshToken == "" {
		t.Fatalf("login: %s", b)
	}
	// A refresh token works once: each use hands out a new one.
	refresh := `{"refresh_token": "` + tok.RefreshToken + `"}`
	if resp, b := a.request(t, "POST", "/api/v1/auth/refresh", refresh, nil); resp.StatusCode != http.StatusOK || !strings.Contains(b, "access_token") {
		t.Errorf("refresh: %d %s", resp.StatusCode, b)
	}
	if resp, _ := a.request(t, "POST", "/api/v1/auth/refresh", refresh, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("refresh token used twice: %d, want 401", resp.StatusCode)
	}

	// An API key carries its role and is cut off when revoked.
	var key struct{ ID, Key string }
	if code, _ := a.as(t, auth.Admin, "POST", "/api/v1/api-keys", `{"name": "ci", "role": "viewer"}`); code != http.StatusCreated {
		t.Fatalf("create api key: %d", code)
	}
	h := map[string]string{"Authorization": "Bearer " + a.tokens[auth.Admin]}
	_, b = a.request(t, "POST", "/api/v1/api-keys", `{"name": "ci-2", "role": "viewer"}`, h)
	if err := json.Unmarshal([]byte(b), &key); err != nil || !strings.HasPrefix(key.Key, "pnk_") {
		t.Fatalf("create api key: %s", b)
	}
	withKey := map[string]string{"X-API-Key": key.Key}
	if resp, _ := a.request(t, "GET", "/api/v1/agents", "", withKey); resp.StatusCode != http.StatusOK {
		t.Errorf("viewer key GET /agents: %d, want 200", resp.StatusCode)
	}
	if resp, _ := a.request(t, "DELETE", "/api/v1/agents/edge-1/desired", "", withKey); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer key DELETE desired: %d, want 403", resp.StatusCode)
	}
	if code, _ := a.as(t, auth.Admin, "DELETE", "/api/v1/api-keys/"+key.ID, ""); code != http.StatusNoContent {
		t.Errorf("revoke: %d", code)
	}
	if resp, _ := a.request(t, "GET", "/api/v1/agents", "", withKey); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked key: %d, want 401", resp.StatusCode)
	}
	if _, b := a.request(t, "GET", "/api/v1/api-keys", "", h); strings.Contains(b, key.Key) || strings.Contains(b, "key_hash") {
		t.Errorf("listing api keys shows a key or its hash: %s", b)
	}

	// A deleted user's token stops working at once.
	var users struct {
		Users []struct{ ID, Username string }
	}
	_, b = a.request(t, "GET", "/api/v1/users", "", h)
	if err := json.Unmarshal([]byte(b), &users); err != nil || strings.Contains(b, "password") {
		t.Fatalf("list users: %s", b)
	}
	for _, u := range users.Users {
		if u.Username == "viewer-user" {
			if code, _ := a.as(t, auth.Admin, "DELETE", "/api/v1/users/"+u.ID, ""); code != http.StatusNoContent {
				t.Errorf("delete user: %d", code)
			}
		}
	}
	if code, _ := a.as(t, auth.Viewer, "GET", "/api/v1/agents", ""); code != http.StatusUnauthorized {
		t.Errorf("deleted user's token: %d, want 401", code)
	}

	// Bad users are refused with the reason; a taken name is 409.
	for body, want := range map[string]int{
		`{"username": "new", "password": "short", "role": "viewer"}`:                       http.StatusBadRequest,
		`{"username": "new", "password": "` + testPassword + `", "role": "root"}`:          http.StatusBadRequest,
		`{"username": "bad name", "password": "` + testPassword + `", "role": "viewer"}`:   http.StatusBadRequest,
		`{"username": "admin-user", "password": "` + testPassword + `", "role": "viewer"}`: http.StatusConflict,
	} {
		if code, _ := a.as(t, auth.Admin, "POST", "/api/v1/users", body); code != want {
			t.Errorf("POST /users %s: %d, want %d", body, code, want)
		}
	}
}

// TestAuditLog: every mutating call is recorded, who, what, when, from
// where and with what result, refused ones and logins included.
func TestAuditLog(t *testing.T) {
	a := newAuthAPI(t)
	a.as(t, auth.Operator, "PUT", "/api/v1/agents/edge-1/desired", `{"pipeline": "decision: {threshold: 0.9}\n"}`)
	a.as(t, auth.Viewer, "DELETE", "/api/v1/agents/edge-1/desired", "")
	a.request(t, "POST", "/api/v1/auth/login", `{"username": "mallory", "password": "guessing guessing"}`, nil)
	a.as(t, auth.Viewer, "GET", "/api/v1/agents", "") // reads are not audited
	var page struct {
		Entries []store.AuditEntry
	}
	_, b := a.request(t, "GET", "/api/v1/audit?limit=3", "", map[string]string{"Authorization": "Bearer " + a.tokens[auth.Admin]})
	if err := json.Unmarshal([]byte(b), &page); err != nil {
		t.Fatalf("audit: %s", b)
	}
	var got []string
	for _, e := range page.Entries {
		if e.Client == "" || e.At.IsZero() {
			t.Errorf("entry without client or time: %+v", e)
		}
		got = append(got, e.Actor+" "+e.Method+" "+e.Route+" "+http.StatusText(e.Status))
	}
	want := []string{
		"login:mallory POST /api/v1/auth/login Unauthorized",
		"viewer-user DELETE /api/v1/agents/:id/desired Forbidden",
		"operator-user PUT /api/v1/agents/:id/desired OK",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log, newest first:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if ok, _ := regexp.MatchString(`"next_before":\d+`, b); !ok {
		t.Errorf("audit page without next_before: %s", b)
	}
}
