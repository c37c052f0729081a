package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/internal/testkit"
)

// agentProc is one pynomaly-agent process and its configuration.
type agentProc struct {
	t       *testing.T
	id      string
	config  string
	dataDir string
	port    int
	cmd     *exec.Cmd
	log     *testkit.LockedBuffer
	logs    []string // output of earlier runs, kept for failure reports
}

type agentSpec struct {
	id       string
	natsURL  string
	csv      string
	rate     float64 // rows per second; 0 = unlimited
	extraYML string
	// inputsYML, when set, replaces the file input "line" (csv, rate)
	// with its own inputs section.
	inputsYML string
}

func (s agentSpec) inputs() string {
	if s.inputsYML != "" {
		return s.inputsYML
	}
	return fmt.Sprintf(`inputs:
  - name: line
    labels: {site: e2e}
    file:
      path: %s
      columns: [value]
      follow: true
      rate: %v`, s.csv, s.rate)
}

func newAgent(t *testing.T, s agentSpec) *agentProc {
	dir := t.TempDir()
	a := &agentProc{t: t, id: s.id, config: filepath.Join(dir, "agent.yaml"), dataDir: filepath.Join(dir, "data"), port: testkit.FreePort(t)}
	cfg := fmt.Sprintf(`agent:
  id: %s
  data_dir: %s
control_plane:
  url: %s
  token: %s
  heartbeat_interval: 200ms
  sync_wait: 1s
http:
  listen: 127.0.0.1:%d
log:
  level: debug
  format: text
%s
%s`, s.id, a.dataDir, s.natsURL, token, a.port, s.inputs(), s.extraYML)
	if err := os.WriteFile(a.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.stop()
		if t.Failed() {
			t.Logf("agent %s output:\n%s", a.id, strings.Join(append(a.logs, a.log.String()), "\n--- restart ---\n"))
		}
	})
	return a
}

func (a *agentProc) start() {
	a.t.Helper()
	if a.log != nil {
		a.logs = append(a.logs, a.log.String())
	}
	a.log = &testkit.LockedBuffer{}
	a.cmd = exec.Command(agentBin, "run", "--config", a.config)
	a.cmd.Stdout, a.cmd.Stderr = a.log, a.log
	if err := a.cmd.Start(); err != nil {
		a.t.Fatalf("start agent: %v", err)
	}
	testkit.WaitFor(a.t, 10*time.Second, "agent health endpoint", func() bool { _, ok := a.health(); return ok })
}

// kill ends the agent with SIGKILL: no chance to flush or close anything.
func (a *agentProc) kill() {
	a.t.Helper()
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		a.t.Fatalf("kill agent: %v", err)
	}
	_ = a.cmd.Wait()
	a.cmd = nil
}

// stop ends the agent with SIGTERM and checks it exits cleanly.
func (a *agentProc) stop() {
	if a.cmd == nil {
		return
	}
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- a.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			a.t.Errorf("agent exited after SIGTERM with: %v", err)
		}
	case <-time.After(15 * time.Second):
		_ = a.cmd.Process.Kill()
		a.t.Errorf("agent did not stop within 15s of SIGTERM")
	}
	a.cmd = nil
}

type agentHealth struct {
	Status      string      `json:"status"`
	OutboxDepth int64       `json:"outbox_depth"`
	Outbox      component   `json:"outbox"`
	Inputs      []component `json:"inputs"`
	Detectors   []component `json:"detectors"`
}

type component struct{ Name, Status, Error string }

func (a *agentProc) health() (agentHealth, bool) {
	var h agentHealth
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/health", a.port))
	if err != nil {
		return h, false
	}
	defer func() { _ = resp.Body.Close() }()
	return h, resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&h) == nil
}

// metric returns the sum of the agent's samples of a metric whose line
// starts with prefix (a name with an optional label selector).
func (a *agentProc) metric(prefix string) float64 {
	return scrapeMetric(fmt.Sprintf("http://127.0.0.1:%d/metrics", a.port), prefix)
}

// scrapeMetric sums the samples at a /metrics url whose line starts with
// prefix; -1 if the url does not answer.
func scrapeMetric(url, prefix string) float64 {
	resp, err := http.Get(url)
	if err != nil {
		return -1
	}
	defer func() { _ = resp.Body.Close() }()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	sum := 0.0
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.HasPrefix(line, prefix) {
			var v float64
			fields := strings.Fields(line)
			_, _ = fmt.Sscan(fields[len(fields)-1], &v)
			sum += v
		}
	}
	return sum
}

// rewrite replaces old with new in the agent's configuration file.
func (a *agentProc) rewrite(old, new string) {
	a.t.Helper()
	b, err := os.ReadFile(a.config)
	if err != nil {
		a.t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		a.t.Fatalf("config has no %q", old)
	}
	if err := os.WriteFile(a.config, bytes.ReplaceAll(b, []byte(old), []byte(new)), 0o600); err != nil {
		a.t.Fatal(err)
	}
}
