package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/internal/testkit"
)

// TestEnrolledAgent is the enrollment path end to end, with the real
// binaries: an operator makes a token, the agent enrolls with it and runs
// on its own credentials (alerts delivered, a desired state with a model
// applied), is unenrolled and cut off (it buffers), and enrolls again to
// deliver what it buffered.
func TestEnrolledAgent(t *testing.T) {
	const id = "edge-enrolled"
	cp := newControlPlane(t)
	cp.start()
	token := func() string {
		var tok struct{ Token string }
		if code, body := cp.sendJSON(t, "POST", "/api/v1/enrollment-tokens", map[string]any{"labels": map[string]string{"site": "e2e"}, "max_uses": 1}, &tok); code != http.StatusCreated {
			t.Fatalf("create token: %d %s", code, body)
		}
		return tok.Token
	}
	dir := t.TempDir()
	line := filepath.Join(dir, "line.csv")
	writeCSV(t, line, rows(0, 200))
	a := newAgent(t, agentSpec{id: id, natsURL: cp.natsURL(), csv: line})
	// An enrolled agent's file names neither its id, nor NATS, nor a token.
	a.rewrite("agent:\n  id: "+id+"\n", "agent:\n")
	a.rewrite(fmt.Sprintf("  url: %s\n  token: %s\n", cp.natsURL(), "e2e-token"), "")

	enroll := func() string {
		t.Helper()
		out, err := exec.Command(agentBin, "enroll", "--url", cp.srv.HTTPURL(), "--token", token(), "--config", a.config, "--name", id).CombinedOutput()
		if err != nil {
			t.Fatalf("enroll: %v\n%s", err, out)
		}
		return string(out)
	}
	out := enroll()
	if !strings.Contains(out, "enrolled as "+id) {
		t.Fatalf("enroll printed %q", out)
	}
	cred := filepath.Join(a.dataDir, "credentials.json")
	if fi, err := os.Stat(cred); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v, mode %v; want 0600", err, fi.Mode())
	}
	a.start()
	first := expectedIDs(id, 0, 200)
	testkit.WaitFor(t, settle, "alerts from the enrolled agent", countIs(cp, len(first)))
	checkExactly(t, cp.alerts(), first)
	var agent struct {
		Labels map[string]string
		Status string
	}
	cp.getJSON("/api/v1/agents/"+id, &agent)
	if agent.Labels["site"] != "e2e" {
		t.Errorf("agent %s: %+v, want the token's label site=e2e", id, agent)
	}

	// A desired state with a model, set while it runs: the agent is let
	// read the model (its NATS permissions follow its assignments).
	model := trainZscore(t, 200)
	if code, body := cp.send(t, "PUT", "/api/v1/models/wave/versions/1?detector=zscore", "application/octet-stream", model, nil); code != http.StatusCreated {
		t.Fatalf("upload model: %d %s", code, body)
	}
	var put struct{ Hash string }
	req := map[string]any{"pipeline": "decision:\n  severity: critical\n", "models": []map[string]string{{"input": "line", "name": "wave", "version": "1"}}}
	if code, body := cp.sendJSON(t, "PUT", "/api/v1/agents/"+id+"/desired", req, &put); code != http.StatusOK {
		t.Fatalf("put desired state: %d %s", code, body)
	}
	testkit.WaitFor(t, settle, "desired state with a model applied", func() bool { return cp.desiredInSync(t, id, put.Hash) })

	// Unenrolled: cut off at once; it keeps detecting into its outbox.
	if code, body := cp.send(t, "DELETE", "/api/v1/agents/"+id, "", nil, nil); code != http.StatusNoContent {
		t.Fatalf("unenroll: %d %s", code, body)
	}
	testkit.WaitFor(t, settle, "agent sees its uplink down", func() bool { return !a.desiredHealth().Uplink.Connected })
	before := len(cp.alerts())
	appendCSV(t, line, rows(200, 400))
	testkit.WaitFor(t, settle, "alerts buffered while unenrolled", func() bool {
		h, _ := a.health()
		return h.OutboxDepth >= int64(len(expectedIDs(id, 200, 400)))
	})
	if n := len(cp.alerts()); n != before {
		t.Errorf("%d alerts arrived from an unenrolled agent", n-before)
	}
	testkit.WaitFor(t, settle, "the agent's log saying why it is refused", func() bool {
		return strings.Contains(a.log.String(), "enroll it again")
	})

	// Enrolled again (a new token: the first allowed one use), restarted:
	// it gets its id back and delivers what it buffered, exactly once.
	a.stop()
	if out := enroll(); !strings.Contains(out, id) {
		t.Fatalf("second enroll printed %q", out)
	}
	a.start()
	all := expectedIDs(id, 0, 400)
	testkit.WaitFor(t, settle, "buffered alerts after re-enrolling", countIs(cp, len(all)))
	checkExactly(t, cp.alerts(), all)
	checkOrderedPerSeries(t, cp.alerts())
	t.Logf("enrolled, delivered %d alerts, applied a model, was cut off, buffered %d, re-enrolled and delivered them",
		len(first), len(all)-len(first))
}
