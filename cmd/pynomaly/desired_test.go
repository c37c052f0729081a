package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/auth"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

// TestDesiredCommands: upload a model, set an agent's desired state with
// it, read it back, delete it; bad arguments are usage errors.
func TestDesiredCommands(t *testing.T) {
	srv := startControlPlane(t, nil)
	dir := t.TempDir()
	model, pipeline := filepath.Join(dir, "model.bin"), filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(model, []byte("zscore state"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pipeline, []byte("decision: {severity: critical}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	url := srv.HTTPURL()
	cli := func(args ...string) result {
		return runCLI(t, 10*time.Second, map[string]string{"PYNOMALY_URL": url}, args...)
	}

	r := cli("models", "upload", "--name", "pump", "--version", "1", "--detector", "zscore", "-f", model)
	checkResult(t, r, "", false)
	if !strings.Contains(r.stdout, "model pump/1 stored: 12 bytes, sha256 ") {
		t.Errorf("models upload printed %q", r.stdout)
	}
	r = cli("desired", "set", "--agent", "edge-1", "-f", pipeline, "--model", "line=pump:1")
	checkResult(t, r, "", false)
	if !strings.Contains(r.stdout, "desired state ") || !strings.Contains(r.stdout, "set for agent edge-1") {
		t.Errorf("desired set printed %q", r.stdout)
	}
	r = cli("desired", "get", "--agent", "edge-1")
	checkResult(t, r, "", false)
	for _, want := range []string{"applied:  not reported yet", "model:    line = pump/1 (sha256 ", "decision: {severity: critical}"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("desired get output lacks %q:\n%s", want, r.stdout)
		}
	}
	checkResult(t, cli("desired", "delete", "--agent", "edge-1"), "", false)
	checkResult(t, cli("desired", "get", "--agent", "edge-1"), "404 Not Found: agent edge-1 has no desired state", false)

	for _, tc := range []struct {
		args  []string
		want  string
		usage bool
	}{
		{[]string{"desired", "set", "-f", pipeline}, "--agent is required", true},
		{[]string{"desired", "set", "--agent", "edge.1", "-f", pipeline}, `character '.' is not allowed`, true},
		{[]string{"desired", "set", "--agent", "edge-1"}, "nothing to set", true},
		{[]string{"desired", "set", "--agent", "edge-1", "--model", "line"}, "want input=name:version", true},
		{[]string{"desired", "set", "--agent", "edge-1", "--model", "line=nosuch:1"}, "model version not found: nosuch/1", false},
		{[]string{"desired", "set", "--agent", "edge-1", "-f", filepath.Join(dir, "missing.yaml")}, "read pipeline", false},
		{[]string{"models", "upload", "--name", "pump", "--version", "1", "-f", pipeline}, "409 Conflict", false},
		{[]string{"models", "upload", "--name", "pump", "--version", "2"}, "-f model file is required", true},
	} {
		checkResult(t, cli(tc.args...), tc.want, tc.usage)
	}
}

func TestConfigColumn(t *testing.T) {
	for _, tc := range []struct {
		c    *protocol.AppliedConfig
		want string
	}{
		{nil, "file"},
		{&protocol.AppliedConfig{Hash: "aa", Status: protocol.ConfigApplied, RunningHash: "aa"}, "aa"},
		{&protocol.AppliedConfig{Hash: "bb", Status: protocol.ConfigFailed, RunningHash: "aa"}, "aa (bb failed)"},
		{&protocol.AppliedConfig{Hash: "bb", Status: protocol.ConfigFailed}, "file (bb failed)"},
	} {
		if got := configColumn(tc.c); got != tc.want {
			t.Errorf("configColumn(%+v) = %q, want %q", tc.c, got, tc.want)
		}
	}
}

// TestUsersCreate: the first admin is made straight in the store, with the
// password read from stdin; bad input is a usage error naming the rule.
func TestUsersCreate(t *testing.T) {
	dir := t.TempDir()
	defer func(r io.Reader) { stdin = r }(stdin)
	stdin = strings.NewReader("a long enough password\n")
	r := runCLI(t, 10*time.Second, nil, "users", "create", "--admin", "--username", "root", "--data-dir", dir)
	checkResult(t, r, "", false)
	if !strings.Contains(r.stdout, "user root created with role admin") || strings.Contains(r.stdout+r.stderr, "a long enough password") {
		t.Errorf("stdout %q stderr %q", r.stdout, r.stderr)
	}
	st, err := store.Open(t.Context(), filepath.Join(dir, "pynomaly.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.UserByName(t.Context(), "root")
	st.Close()
	if err != nil || u.Role != "admin" || !auth.PasswordMatches(u.PasswordHash, "a long enough password") {
		t.Errorf("stored user %+v, %v", u, err)
	}
	for _, tc := range []struct {
		args     []string
		password string
		want     string
		usage    bool
	}{
		{[]string{"users", "create", "--data-dir", dir}, "a long enough password\n", "--username is required", true},
		{[]string{"users", "create", "--username", "bob", "--data-dir", dir}, "short\n", "at least 12 characters", true},
		{[]string{"users", "create", "--username", "bob", "--role", "root", "--data-dir", dir}, "a long enough password\n", "role: one of viewer, operator, admin", true},
		{[]string{"users", "create", "--username", "root", "--data-dir", dir}, "a long enough password\n", "already exists", false},
	} {
		stdin = strings.NewReader(tc.password)
		checkResult(t, runCLI(t, 10*time.Second, nil, tc.args...), tc.want, tc.usage)
	}
}

// TestClientWithoutCredentials: a call refused for want of credentials
// says where to get them.
func TestClientWithoutCredentials(t *testing.T) {
	srv := startControlPlane(t, nil)
	r := runCLI(t, 10*time.Second, map[string]string{"PYNOMALY_API_KEY": ""}, "agents", "list", "--url", srv.HTTPURL())
	checkResult(t, r, "401 Unauthorized: credentials required", false)
	if !strings.Contains(r.err.Error(), "PYNOMALY_API_KEY") {
		t.Errorf("error %q does not say how to give credentials", r.err)
	}
	r = runCLI(t, 10*time.Second, map[string]string{"PYNOMALY_API_KEY": "pnk_forged"}, "agents", "list", "--url", srv.HTTPURL())
	checkResult(t, r, "401 Unauthorized: invalid credentials", false)
}

// TestAdminCommands: users, API keys and the audit log from the CLI, with
// credentials from a configuration file.
func TestAdminCommands(t *testing.T) {
	srv := startControlPlane(t, nil)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cli.yaml")
	if err := os.WriteFile(cfg, []byte("url: "+srv.HTTPURL()+"\napi_key: "+apiKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PYNOMALY_CLI_CONFIG": cfg, "PYNOMALY_API_KEY": ""}
	cli := func(args ...string) result { return runCLI(t, 10*time.Second, env, args...) }

	defer func(r io.Reader) { stdin = r }(stdin)
	r := cli("api-keys", "create", "--name", "ci", "--role", "operator")
	checkResult(t, r, "", false)
	if !strings.HasPrefix(r.stdout, "pnk_") || !strings.Contains(r.stderr, "shown only now") {
		t.Errorf("api-keys create: %q %q", r.stdout, r.stderr)
	}
	r = cli("api-keys", "list")
	checkResult(t, r, "", false)
	if !strings.Contains(r.stdout, "ci") || !strings.Contains(r.stdout, "operator") || strings.Contains(r.stdout, "pnk_") {
		t.Errorf("api-keys list: %q", r.stdout)
	}
	r = cli("users", "list", "-o", "json")
	checkResult(t, r, "", false)
	if !strings.Contains(r.stdout, `"users"`) {
		t.Errorf("users list -o json: %q", r.stdout)
	}
	r = cli("audit", "list")
	checkResult(t, r, "", false)
	if !strings.Contains(r.stdout, "key:bootstrap-admin") || !strings.Contains(r.stdout, "/api/v1/api-keys") {
		t.Errorf("audit list: %q", r.stdout)
	}
	stdin = strings.NewReader("wrong password!!\n")
	checkResult(t, cli("login", "--username", "nobody"), "401 Unauthorized: wrong user name or password", false)
	checkResult(t, cli("users", "delete"), "--id is required", true)
	checkResult(t, cli("api-keys", "revoke", "--id", "nothing"), "404 Not Found", false)
	checkResult(t, cli("users", "list", "-o", "yaml"), `-o "yaml": want table or json`, true)

	// A config file others can read must not hold a key; a malformed one
	// is named.
	if err := os.Chmod(cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	checkResult(t, cli("users", "list"), "holds an API key and others can read it", true)
	if err := os.WriteFile(cfg, []byte("uri: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	checkResult(t, cli("users", "list"), `field uri not found`, true)
}

func TestAgentsListFiltersAndGet(t *testing.T) {
	srv := startControlPlane(t, nil)
	url := srv.HTTPURL()
	r := runCLI(t, 10*time.Second, nil, "agents", "list", "--url", url, "--status", "offline")
	checkResult(t, r, "", false)
	if strings.Contains(r.stdout, "edge-1") {
		t.Errorf("--status offline lists the online edge-1:\n%s", r.stdout)
	}
	r = runCLI(t, 10*time.Second, nil, "agents", "list", "--url", url, "--status", "online", "--version", "1.2.3")
	checkResult(t, r, "", false)
	if !strings.Contains(r.stdout, "edge-1") {
		t.Errorf("--status online --version 1.2.3 does not list edge-1:\n%s", r.stdout)
	}
	r = runCLI(t, 10*time.Second, nil, "agents", "get", "--url", url, "--agent", "edge-1")
	checkResult(t, r, "", false)
	if !strings.Contains(r.stdout, `"hostname": "edge-host"`) {
		t.Errorf("agents get: %s", r.stdout)
	}
	checkResult(t, runCLI(t, 10*time.Second, nil, "agents", "get", "--url", url, "--agent", "nobody"), "404 Not Found: agent nobody has never reported in", false)
	checkResult(t, runCLI(t, 10*time.Second, nil, "agents", "list", "--url", url, "--status", "asleep"), "400 Bad Request", false)
}
