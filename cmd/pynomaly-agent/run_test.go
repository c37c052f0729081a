package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

// TestRunOffline runs the agent with its control plane unreachable: it
// starts, scores the file into the outbox, serves /metrics and /health,
// and returns nil when cancelled. A second run resumes from the checkpoint
// without adding entries.
func TestRunOffline(t *testing.T) {
	for _, name := range []string{"PYNOMALY_AGENT_ID", "PYNOMALY_AGENT_DATA_DIR", "PYNOMALY_CONTROL_PLANE_URL", "PYNOMALY_HTTP_LISTEN"} {
		t.Setenv(name, "")
	}
	dir := t.TempDir()
	data := writeFile(t, dir, "data.csv", spikyCSV(200, 50, 120))
	addr := fmt.Sprintf("127.0.0.1:%d", testkit.FreePort(t))
	cfg := writeFile(t, dir, "agent.yaml", agentConfig(filepath.Join(dir, "data"), "nats://127.0.0.1:1", addr, data, ""))

	logs, stop := runAgentUntil(t, cfg, func() bool {
		return strings.Contains(get(t, addr, "/metrics"), `pynomaly_agent_input_records_total{input="machine"} 200`)
	})
	metrics := get(t, addr, "/metrics")
	for _, want := range []string{`pynomaly_agent_alerts_total{input="machine"} 2`, "pynomaly_agent_outbox_depth 2",
		`pynomaly_predictions_total{model="zscore",result="anomaly"} 2`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if !strings.Contains(logs(), "control plane unreachable") {
		t.Errorf("no warning about the unreachable control plane in the log:\n%s", logs())
	}
	stop()
	checkOutbox(t, filepath.Join(dir, "data", "agent.db"), data)

	// Restart: the input resumes at its checkpoint; nothing is scored twice.
	logs, _ = runAgentUntil(t, cfg, func() bool { return health(t, addr).Status == "ok" })
	testkit.WaitFor(t, 10*time.Second, "the resumed input to finish", func() bool { return strings.Contains(logs(), "input finished") })
	if l := logs(); !strings.Contains(l, `"msg":"resuming input"`) || !strings.Contains(l, `"line":201`) {
		t.Errorf("second run did not resume at line 201:\n%s", logs())
	}
	if h := health(t, addr); h.OutboxDepth != 2 {
		t.Errorf("/health outbox_depth = %d after restart, want 2", h.OutboxDepth)
	}
}

// runAgentUntil runs the agent with config until ready holds. It returns a
// function reading the log so far and one stopping the agent, which checks
// that run returns nil and nothing panicked; the test's cleanup calls it too.
func runAgentUntil(t *testing.T, config string, ready func() bool) (logs func() string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	var stderr testkit.LockedBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"run", "--config", config}, io.Discard, &stderr) }()
	var once sync.Once
	stop = func() { once.Do(func() { stopAgent(t, cancel, done, &stderr) }) }
	t.Cleanup(stop)
	deadline := time.Now().Add(10 * time.Second)
	for !ready() {
		select {
		case err := <-done:
			done <- err // for stop
			t.Fatalf("run returned early: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("agent not ready within 10s; log:\n%s", stderr.String())
		}
	}
	return stderr.String, stop
}

func stopAgent(t *testing.T, cancel func(), done <-chan error, stderr *testkit.LockedBuffer) {
	t.Helper()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run = %v, want nil after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return within 10s of cancel")
	}
	if strings.Contains(stderr.String(), "panic") {
		t.Errorf("panic in the log:\n%s", stderr.String())
	}
}

// checkOutbox opens the stopped agent's outbox and checks the alerts and
// the input's checkpoint.
func checkOutbox(t *testing.T, path, data string) {
	t.Helper()
	ob, err := outbox.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	es, err := ob.Peek(10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.ID)
	}
	series := `temperature{input="machine",site="a"}`
	want := []string{protocol.AlertID("edge-1", series, "zscore", t0.Add(50*time.Second)), protocol.AlertID("edge-1", series, "zscore", t0.Add(120*time.Second))}
	if !slices.Equal(got, want) {
		t.Errorf("outbox ids %v, want %v", got, want)
	}
	fi, err := os.Stat(data)
	if err != nil {
		t.Fatal(err)
	}
	// One checkpoint per file, keyed by the file's identity.
	cps, err := ob.CheckpointsWithPrefix("machine/")
	if err != nil || len(cps) != 1 {
		t.Fatalf("checkpoints of input machine = %+v, %v; want one", cps, err)
	}
	for _, pos := range cps {
		if pos.Offset != fi.Size() || pos.Line != 201 || !strings.HasPrefix(pos.Source, data+"#") {
			t.Errorf("checkpoint = %+v; want offset %d, line 201, source %s#…", pos, fi.Size(), data)
		}
	}
}

type healthDoc struct {
	Status      string `json:"status"`
	OutboxDepth int64  `json:"outbox_depth"`
}

// health returns the agent's /health, or a zero doc while it is not up.
func health(t *testing.T, addr string) healthDoc {
	t.Helper()
	var h healthDoc
	if body := get(t, addr, "/health"); body != "" {
		if err := json.Unmarshal([]byte(body), &h); err != nil {
			t.Fatalf("/health: %v: %s", err, body)
		}
	}
	return h
}

// get returns the body of http://addr/path, or "" while nothing listens.
func get(t *testing.T, addr, path string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
	}
	return string(b)
}

// TestSetMemoryLimit: agent.memory_limit becomes the runtime's soft
// limit, unless GOMEMLIMIT is set.
func TestSetMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })
	logger := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		name  string
		limit config.ByteSize
		env   string
		want  int64 // the runtime's limit after
	}{
		{"unset", 0, "", old},
		{"GOMEMLIMIT wins", 64 << 20, "100MiB", old},
		{"set", 64 << 20, "", 64 << 20},
	} {
		setMemoryLimit(tc.limit, tc.env, logger)
		if got := debug.SetMemoryLimit(-1); got != tc.want {
			t.Errorf("%s: limit %d, want %d", tc.name, got, tc.want)
		}
	}
}
