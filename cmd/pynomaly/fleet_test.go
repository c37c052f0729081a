package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/pynomaly/pynomaly/protocol"
)

// TestFleetCommands: make a token, enroll two agents with it (as
// pynomaly-agent enroll would), list them by label, relabel one,
// unenroll it, revoke the token; bad arguments are usage errors.
func TestFleetCommands(t *testing.T) {
	srv := startControlPlane(t, nil)
	env := map[string]string{"PYNOMALY_URL": srv.HTTPURL()}
	cli := func(args ...string) result { return runCLI(t, 10*time.Second, env, args...) }

	r := cli("tokens", "create", "--label", "site=plant-a", "--max-uses", "2", "--description", "plant a gateways")
	checkResult(t, r, "", false)
	token := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(token, "pne_") || !strings.Contains(r.stderr, "pynomaly-agent enroll --url "+srv.HTTPURL()) {
		t.Fatalf("tokens create: %q / %q", r.stdout, r.stderr)
	}
	for _, id := range []string{"gw-1", "gw-2"} {
		body := strings.NewReader(`{"token": "` + token + `", "agent_id": "` + id + `"}`)
		resp, err := http.Post(srv.HTTPURL()+protocol.EnrollPath, "application/json", body)
		if err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("enroll %s: %v %v", id, resp, err)
		}
		resp.Body.Close()
	}
	r = cli("tokens", "list")
	checkResult(t, r, "", false)
	if !strings.Contains(r.stdout, "plant a gateways") || !strings.Contains(r.stdout, "2/2") || strings.Contains(r.stdout, token) {
		t.Errorf("tokens list:\n%s", r.stdout)
	}

	r = cli("agents", "label", "--agent", "gw-2", "role=pump", "site-")
	checkResult(t, r, "", false)
	if strings.TrimSpace(r.stdout) != "gw-2: role=pump" {
		t.Errorf("agents label printed %q", r.stdout)
	}
	r = cli("agents", "list", "--label", "site=plant-a")
	checkResult(t, r, "", false)
	if !strings.Contains(r.stdout, "gw-1") || strings.Contains(r.stdout, "gw-2") || !strings.Contains(r.stdout, "pending") {
		t.Errorf("agents list --label site=plant-a:\n%s", r.stdout)
	}
	r = cli("agents", "list", "--selector", "role in (pump)", "-o", "json")
	checkResult(t, r, "", false)
	var listed struct{ Agents []struct{ ID string } }
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed.Agents) != 1 || listed.Agents[0].ID != "gw-2" {
		t.Errorf("agents list --selector: %s (%v)", r.stdout, err)
	}
	// --limit reads only so many, across pages.
	r = cli("agents", "list", "--limit", "1", "-o", "json")
	checkResult(t, r, "", false)
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed.Agents) != 1 {
		t.Errorf("agents list --limit 1: %s", r.stdout)
	}

	r = cli("agents", "unenroll", "--agent", "gw-2")
	checkResult(t, r, "", false)
	r = cli("agents", "unenroll", "--agent", "gw-2")
	checkResult(t, r, "no agent gw-2", false)

	var id string
	r = cli("tokens", "list", "-o", "json")
	var toks struct{ Tokens []struct{ ID string } }
	if err := json.Unmarshal([]byte(r.stdout), &toks); err != nil || len(toks.Tokens) != 1 {
		t.Fatalf("tokens list -o json: %s", r.stdout)
	}
	id = toks.Tokens[0].ID
	checkResult(t, cli("tokens", "revoke", "--id", id), "", false)

	for want, bad := range map[string][]string{
		"want name=value":        {"tokens", "create", "--label", "novalue"},
		"usage: pynomaly agents": {"agents", "label", "--agent", "gw-1"},
		"justaword":              {"agents", "label", "--agent", "gw-1", "justaword"},
		"usage: pynomaly":        {"agents", "label", "gw-1", "a=b"},
		"--id is required":       {"tokens", "revoke"},
	} {
		checkResult(t, cli(bad...), want, true)
	}
	// The server refuses what the CLI passes on, and says why.
	checkResult(t, cli("tokens", "create", "--ttl", "forever"), "ttl", false)
}

// TestNATSConfigCommand: what server nats-config prints is a configuration
// nats-server loads, with the variables the control plane needs.
func TestNATSConfigCommand(t *testing.T) {
	r := runCLI(t, 10*time.Second, map[string]string{"PYNOMALY_NATS_TOKEN": "the-cp-password"}, "server", "nats-config", "--nats-host", "nats.example:4222")
	checkResult(t, r, "", false)
	var opts natsserver.Options
	if err := opts.ProcessConfigString(r.stdout); err != nil {
		t.Fatalf("nats-server cannot load the printed config: %v\n%s", err, r.stdout)
	}
	if opts.AuthCallout == nil || len(opts.AuthCallout.AuthUsers) != 2 || opts.SystemAccount != "SYS" {
		t.Errorf("config: callout %+v, system account %q", opts.AuthCallout, opts.SystemAccount)
	}
	for _, want := range []string{"PYNOMALY_NATS_URL=nats://nats.example:4222", "PYNOMALY_NATS_TOKEN=the-cp-password",
		"PYNOMALY_NATS_CALLOUT_KEY=SA", "PYNOMALY_NATS_SYSTEM_PASSWORD=", `password: "the-cp-password"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	checkResult(t, runCLI(t, 10*time.Second, nil, "server", "nats-config", "--password", `bad"quote`), "quote", true)
}
