package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

// TestDesiredStateWhileOffline is fault test 6: an agent's config and
// model are changed while it is offline; it applies them when it comes
// back; restarted with the control plane down, it runs them again from
// its own copy. Every alert arrives exactly once, raised under the config
// in effect when its row was read.
func TestDesiredStateWhileOffline(t *testing.T) {
	const id = "edge-desired"
	cp := newControlPlane(t)
	cp.start()
	dir := t.TempDir()
	line, early := filepath.Join(dir, "line.csv"), filepath.Join(dir, "early.csv")
	writeCSV(t, line, rows(0, 300))
	a := newAgent(t, agentSpec{id: id, natsURL: cp.natsURL(), csv: line})
	a.start()
	first := expectedIDs(id, 0, 300)
	testkit.WaitFor(t, settle, "alerts under the file's config", countIs(cp, len(first)))
	a.stop()
	t.Logf("agent stopped after %d alerts under its file's config", len(first))

	// While it is offline: severity critical for input line, and a new
	// input early whose series start from a zscore model trained on the
	// wave, so that a spike at its 6th row, inside zscore's 32-row warm-up,
	// is caught.
	model := trainZscore(t, 300)
	var info struct{ SHA256 string }
	if code, body := cp.send(t, "PUT", "/api/v1/models/wave/versions/1?detector=zscore", "application/octet-stream", model, &info); code != http.StatusCreated {
		t.Fatalf("upload model: %d %s", code, body)
	}
	writeCSV(t, early, earlyRows())
	pipeline := fmt.Sprintf(`inputs:
  - name: line
    labels: {site: e2e}
    file: {path: %s, columns: [value], follow: true}
  - name: early
    labels: {site: e2e}
    file: {path: %s, columns: [value], follow: true}
decision:
  severity: critical
`, line, early)
	var put struct{ Hash string }
	req := map[string]any{"pipeline": pipeline, "models": []map[string]string{{"input": "early", "name": "wave", "version": "1"}}}
	if code, body := cp.sendJSON(t, "PUT", "/api/v1/agents/"+id+"/desired", req, &put); code != http.StatusOK {
		t.Fatalf("put desired state: %d %s", code, body)
	}
	t.Logf("desired state %s set while the agent was offline (model sha256 %s…)", put.Hash, info.SHA256[:12])

	appendCSV(t, line, rows(300, 500))
	a.start()
	testkit.WaitFor(t, settle, "desired state applied and reported", func() bool { return cp.desiredInSync(t, id, put.Hash) })
	second := append(expectedIDs(id, 300, 500), earlyID(id))
	testkit.WaitFor(t, settle, "alerts under the desired state", countIs(cp, len(first)+len(second)))
	t.Logf("agent came back, applied %s, raised %d alerts under it (one thanks to the model)", put.Hash, len(second))

	// Restart with the control plane down: the kept desired state runs.
	// (The severity is not part of an alert id: the ids of line's spikes
	// are the same under either config.)
	cp.stop()
	a.stop()
	appendCSV(t, line, rows(500, 700))
	a.start()
	h := a.desiredHealth()
	if h.Config == nil || h.Config.RunningHash != put.Hash || !h.Config.Cached {
		t.Fatalf("restarted offline: config %+v, want running %s from the kept copy", h.Config, put.Hash)
	}
	// /health is the agent's own: ok without its uplink, which it shows apart.
	if h.Status != "ok" || h.Uplink.Connected {
		t.Errorf("restarted offline: /health status %q, uplink connected %v; want ok, false", h.Status, h.Uplink.Connected)
	}
	third := expectedIDs(id, 500, 700)
	testkit.WaitFor(t, settle, "alerts buffered under the kept desired state", func() bool {
		h, ok := a.health()
		return ok && h.OutboxDepth == int64(len(third))
	})
	cp.start()
	want := append(append(append([]string{}, first...), second...), third...)
	testkit.WaitFor(t, settle, "buffered alerts delivered", countIs(cp, len(want)))
	alerts := cp.alerts()
	slices.Sort(want)
	checkExactly(t, alerts, want)
	checkOrderedPerSeries(t, alerts)
	for _, al := range alerts {
		wantSev := protocol.SeverityCritical
		if al.Timestamp.Before(rowTime(300)) && al.Labels["input"] == "line" {
			wantSev = protocol.SeverityWarning
		}
		if al.Severity != wantSev {
			t.Errorf("alert %s at row time %v: severity %s, want %s", al.ID, al.Timestamp, al.Severity, wantSev)
		}
	}
	testkit.WaitFor(t, settle, "in sync again, from the control plane", func() bool {
		h := a.desiredHealth()
		return cp.desiredInSync(t, id, put.Hash) && h.Config != nil && !h.Config.Cached && h.Uplink.Connected
	})
	t.Logf("restarted with the control plane down: ran %s from its copy, buffered %d alerts; %d stored in all, each once",
		put.Hash, len(third), len(alerts))

	// Deleted: back to the file's pipeline, whose only input is line.
	if code, body := cp.send(t, "DELETE", "/api/v1/agents/"+id+"/desired", "", nil, nil); code != http.StatusNoContent {
		t.Fatalf("delete desired state: %d %s", code, body)
	}
	testkit.WaitFor(t, settle, "input early stopped and gone from /health", func() bool {
		h, ok := a.health()
		return ok && len(h.Inputs) == 1 && h.Inputs[0].Name == "line" && a.desiredHealth().Config == nil
	})
}

// trainZscore returns a model of n rows of the wave learned by a
// default zscore detector, as an operator makes one: with
// pynomaly-agent model build.
func trainZscore(t *testing.T, n int) []byte {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s,%.4f\n", rowTime(i).Format(time.RFC3339), wave(i))
	}
	data, model := filepath.Join(dir, "wave.csv"), filepath.Join(dir, "wave.model")
	writeCSV(t, data, b.String())
	out, err := exec.Command(agentBin, "model", "build", "--input", data, "--columns", "value", "--detector", "zscore", "--out", model).CombinedOutput()
	if err != nil {
		t.Fatalf("model build: %v\n%s", err, out)
	}
	m, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// earlyRows is 20 rows of the wave with a spike at row 5.
func earlyRows() string {
	var b strings.Builder
	for i := range 20 {
		v := wave(i)
		if i == 5 {
			v += 50
		}
		fmt.Fprintf(&b, "%s,%.4f\n", rowTime(i).Format(time.RFC3339), v)
	}
	return b.String()
}

func earlyID(agentID string) string {
	series := protocol.SeriesName("value", map[string]string{"site": "e2e", "input": "early"})
	return protocol.AlertID(agentID, series, "zscore", rowTime(5))
}

// desiredInSync reports whether the control plane says the agent runs
// the desired state hash.
func (cp *controlPlane) desiredInSync(t *testing.T, id, hash string) bool {
	var v api.DesiredView
	code, _ := cp.send(t, "GET", "/api/v1/agents/"+id+"/desired", "", nil, &v)
	return code == http.StatusOK && v.Hash == hash && v.InSync
}

// sendJSON is send with v encoded as the JSON body.
func (cp *controlPlane) sendJSON(t *testing.T, method, path string, v, out any) (int, string) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return cp.send(t, method, path, "application/json", b, out)
}

// send makes a request to the API and decodes a 2xx JSON answer into out.
func (cp *controlPlane) send(t *testing.T, method, path, contentType string, body []byte, out any) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, cp.srv.HTTPURL()+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+cp.apiKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode, string(b)
}

type desiredHealth struct {
	Status string                   `json:"status"`
	Config *protocol.AppliedConfig  `json:"config"`
	Uplink struct{ Connected bool } `json:"uplink"`
}

func (a *agentProc) desiredHealth() desiredHealth {
	a.t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/health", a.port))
	if err != nil {
		a.t.Fatalf("agent health: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var h desiredHealth
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		a.t.Fatalf("agent health: %v", err)
	}
	return h
}

// TestMQTTReconfiguredInPlace: a new detector and decision for an MQTT
// input, received while messages stream in at QoS 0, are applied between
// two batches on the same connection: every message published is scored
// (none lost to a reconnect), and the alerts after the change carry it.
func TestMQTTReconfiguredInPlace(t *testing.T) {
	const id, n = "edge-swap", 3000
	b := testkit.StartMQTTBroker(t, nil)
	cp := newControlPlane(t)
	cp.start()
	inputs := fmt.Sprintf(`inputs:
  - name: line
    mqtt:
      brokers: [%s]
      topics: [{filter: "plant/+site/+device/telemetry", qos: 0}]
      payload:
        timestamp: ts
        fields: [{path: v, name: value}]
`, b.URL())
	a := newAgent(t, agentSpec{id: id, natsURL: cp.natsURL(), inputsYML: inputs})
	a.start()
	testkit.WaitFor(t, settle, "agent subscribed", func() bool {
		return b.Subscribed("pynomaly-"+id+"-line", "plant/e2e/pump-1/telemetry")
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			publishRow(b, i, 0)
			time.Sleep(time.Millisecond)
		}
	}()
	messages := `pynomaly_agent_input_messages_total{input="line"}`
	testkit.WaitFor(t, settle, "half the stream scored", func() bool { return a.metric(messages) >= n/2 })
	pipeline := inputs + "detector: {type: zscore, params: {window: \"64\"}}\ndecision: {severity: critical}\n"
	var put struct{ Hash string }
	if code, body := cp.sendJSON(t, "PUT", "/api/v1/agents/"+id+"/desired", map[string]any{"pipeline": pipeline}, &put); code != http.StatusOK {
		t.Fatalf("put desired state: %d %s", code, body)
	}
	swappedAt := a.metric(messages)
	testkit.WaitFor(t, settle, "desired state applied", func() bool { return cp.desiredInSync(t, id, put.Hash) })
	<-done
	testkit.WaitFor(t, settle, "every message scored", func() bool { return a.metric(messages) == n })
	if got := a.metric(`pynomaly_agent_input_records_total{input="line"}`); got != n {
		t.Errorf("records scored %v, want %d", got, n)
	}
	if got := a.metric(`pynomaly_agent_input_connects_total{input="line"}`); got != 1 {
		t.Errorf("connections %v, want 1: the change must not reconnect", got)
	}
	if !strings.Contains(a.log.String(), "input reconfigured in place") {
		t.Errorf("agent log does not say the input was reconfigured in place")
	}
	var critical int
	for _, al := range cp.alerts() {
		if al.Severity == protocol.SeverityCritical {
			critical++
		}
	}
	if critical == 0 {
		t.Errorf("no alert raised under the new decision (severity critical)")
	}
	t.Logf("changed detector and decision after %v of %d QoS 0 messages: all %d scored on one connection; %d alerts under the new config",
		swappedAt, n, n, critical)
}

// TestDesiredStateRefused: a desired state the agent cannot run (here an
// unknown detector; a model for another detector) is refused whole, with
// the reason reported to the control plane, and the agent runs on as it
// was; deleting the desired state returns it to its file's pipeline.
func TestDesiredStateRefused(t *testing.T) {
	const id = "edge-refuse"
	cp, _, line := lineAgent(t, id)

	// A model must exist before it is assigned.
	req := map[string]any{"models": []map[string]string{{"input": "line", "name": "nosuch", "version": "1"}}}
	if code, body := cp.sendJSON(t, "PUT", "/api/v1/agents/"+id+"/desired", req, nil); code != http.StatusBadRequest || !strings.Contains(body, "unknown_model") {
		t.Errorf("assign a missing model: %d %s, want 400 unknown_model", code, body)
	}
	// A model that does not fit the input's detector (zscore) is refused by the agent.
	if code, body := cp.send(t, "PUT", "/api/v1/models/junk/versions/1", "application/octet-stream", []byte("not a zscore state"), nil); code != http.StatusCreated {
		t.Fatalf("upload: %d %s", code, body)
	}
	for _, tc := range []struct {
		req  map[string]any
		want string
	}{
		{map[string]any{"pipeline": "detector: {type: nosuch}\n"}, `unknown detector "nosuch"`},
		{map[string]any{"models": []map[string]string{{"input": "line", "name": "junk", "version": "1"}}}, "does not fit detector zscore"},
	} {
		var put struct{ Hash string }
		if code, body := cp.sendJSON(t, "PUT", "/api/v1/agents/"+id+"/desired", tc.req, &put); code != http.StatusOK {
			t.Fatalf("put: %d %s", code, body)
		}
		var v api.DesiredView
		testkit.WaitFor(t, settle, "refusal reported", func() bool {
			cp.send(t, "GET", "/api/v1/agents/"+id+"/desired", "", nil, &v)
			return v.Applied != nil && v.Applied.Hash == put.Hash && v.Applied.Status == protocol.ConfigFailed
		})
		if v.InSync || !strings.Contains(v.Applied.Error, tc.want) || v.Applied.RunningHash != "" {
			t.Errorf("applied %+v, in sync %v: want failed with %q, still running the file's pipeline", v.Applied, v.InSync, tc.want)
		}
	}
	appendCSV(t, line, rows(150, 250))
	testkit.WaitFor(t, settle, "the file's pipeline runs on", countIs(cp, 2))

	if code, body := cp.send(t, "DELETE", "/api/v1/agents/"+id+"/desired", "", nil, nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", code, body)
	}
	if code, _ := cp.send(t, "GET", "/api/v1/agents/"+id+"/desired", "", nil, nil); code != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d, want 404", code)
	}
	testkit.WaitFor(t, settle, "agent back on its file, reporting no desired state", func() bool {
		ag := cp.agents()
		return len(ag) == 1 && ag[0].Config == nil
	})
	checkExactly(t, cp.alerts(), expectedIDs(id, 0, 250))
}

// lineAgent starts a control plane and agent id reading rows 0..150 of
// the e2e series from a followed file, and waits for its first alert.
func lineAgent(t *testing.T, id string) (*controlPlane, *agentProc, string) {
	t.Helper()
	cp := newControlPlane(t)
	cp.start()
	line := filepath.Join(t.TempDir(), "line.csv")
	writeCSV(t, line, rows(0, 150))
	a := newAgent(t, agentSpec{id: id, natsURL: cp.natsURL(), csv: line})
	a.start()
	testkit.WaitFor(t, settle, "first alert", countIs(cp, 1))
	return cp, a, line
}

// TestDesiredAfterControlPlaneRestart: the agent's watch of its desired
// state survives the control plane (and its NATS) restarting under it: a
// change made after the restart reaches the agent.
func TestDesiredAfterControlPlaneRestart(t *testing.T) {
	const id = "edge-rewatch"
	cp, _, _ := lineAgent(t, id)
	cp.stop()
	cp.start()
	var put struct{ Hash string }
	req := map[string]any{"pipeline": "decision: {severity: critical}\n"}
	if code, body := cp.sendJSON(t, "PUT", "/api/v1/agents/"+id+"/desired", req, &put); code != http.StatusOK {
		t.Fatalf("put desired state: %d %s", code, body)
	}
	start := time.Now()
	testkit.WaitFor(t, 2*settle, "desired state applied after the restart", func() bool { return cp.desiredInSync(t, id, put.Hash) })
	t.Logf("control plane restarted; a desired state set after it was applied %v later", time.Since(start).Round(100*time.Millisecond))
}
