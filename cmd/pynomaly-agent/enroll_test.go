package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/protocol"
)

// enrollEndpoint stands in for the control plane's enrollment endpoint
// (its real behaviour is tested with the control plane, and end to end in
// test/e2e): it hands out credentials for token "good", keeping what it
// was sent, and refuses other tokens as the real one does.
func enrollEndpoint(t *testing.T, got *[]protocol.EnrollRequest) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req protocol.EnrollRequest
		if r.URL.Path != protocol.EnrollPath || json.NewDecoder(r.Body).Decode(&req) != nil {
			http.Error(w, "not here", http.StatusNotFound)
			return
		}
		*got = append(*got, req)
		w.Header().Set("Content-Type", "application/json")
		if req.Token != "good" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error": {"code": "unauthorized", "message": "enrollment token has expired"}}`))
			return
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(protocol.EnrollResponse{
			AgentCredentials: protocol.AgentCredentials{AgentID: req.AgentID, Secret: "pna_secret-" + string(rune('0'+len(*got)))},
			NATSURLs:         []string{"nats://cp.example:4222"}, Replaced: req.Previous != nil,
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestEnrollCommand(t *testing.T) {
	var got []protocol.EnrollRequest
	cp := enrollEndpoint(t, &got)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "agent.yaml", "agent:\n  data_dir: "+filepath.Join(dir, "data")+"\n")
	enroll := func(args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		err := run(t.Context(), append([]string{"enroll", "--config", cfg}, args...), &stdout, &stderr)
		return stdout.String() + stderr.String(), err
	}
	out, err := enroll("--url", cp.URL, "--token", "good", "--name", "gw-7")
	if err != nil || !strings.Contains(out, "enrolled as gw-7") {
		t.Fatalf("enroll: %v\n%s", err, out)
	}
	path := filepath.Join(dir, "data", config.CredentialsFileName)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file %s: %v (mode %v), want 0600", path, err, fi.Mode())
	}
	cred, err := config.ReadCredentials(path)
	if err != nil || cred.AgentID != "gw-7" || cred.Secret != "pna_secret-1" || cred.APIURL != cp.URL {
		t.Fatalf("credentials %+v, %v", cred, err)
	}
	// Enrolling again proves the identity it holds.
	if out, err := enroll("--url", cp.URL, "--token", "good", "--name", "gw-7"); err != nil || !strings.Contains(out, "keeping the id") {
		t.Fatalf("second enroll: %v\n%s", err, out)
	}
	if p := got[1].Previous; p == nil || p.AgentID != "gw-7" || p.Secret != "pna_secret-1" {
		t.Errorf("second enrollment sent previous %+v, want the first identity", p)
	}
	// The agent's configuration now loads with that identity.
	full := writeFile(t, dir, "full.yaml", "agent:\n  data_dir: "+filepath.Join(dir, "data")+"\ninputs:\n  - name: x\n    file: {path: /dev/null}\n")
	c, err := config.Load(full, nil)
	if err != nil || c.Agent.ID != "gw-7" || c.ControlPlane.URL != "nats://cp.example:4222" || c.ControlPlane.Credentials().Secret != "pna_secret-2" {
		t.Fatalf("config with credentials: %+v, %v", c, err)
	}
	// A file that names another id is refused, not silently overridden.
	other := writeFile(t, dir, "other.yaml", "agent:\n  id: someone-else\n  data_dir: "+filepath.Join(dir, "data")+"\ninputs:\n  - name: x\n    file: {path: /dev/null}\n")
	if _, err := config.Load(other, nil); err == nil || !strings.Contains(err.Error(), "differs from the enrolled id") {
		t.Errorf("config naming another id: %v", err)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--token", "good"}, "--url and --token are required"},
		{[]string{"--url", cp.URL}, "--url and --token are required"},
		{[]string{"--url", "ftp://x", "--token", "good"}, "want http(s)"},
		{[]string{"--url", cp.URL, "--token", "good", "--name", "bad name"}, "--name"},
		{[]string{"--url", cp.URL, "--token", "stale"}, "enrollment token has expired"},
		{[]string{"--url", cp.URL + "/nothing", "--token", "good"}, "is " + cp.URL + "/nothing" + protocol.EnrollPath + " a Pynomaly control plane"},
		{[]string{"--url", "http://127.0.0.1:1", "--token", "good"}, "connection refused"},
		{[]string{"--url", cp.URL, "--token", "good", "--ca-file", filepath.Join(dir, "missing.pem")}, "--ca-file"},
	} {
		if out, err := enroll(tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("enroll %v: %v (%s), want an error with %q", tc.args, err, out, tc.want)
		}
	}
	// A refused enrollment leaves the credentials it had.
	if cred, err := config.ReadCredentials(path); err != nil || cred.Secret != "pna_secret-2" {
		t.Errorf("credentials after refused enrollments: %+v, %v", cred, err)
	}
}
