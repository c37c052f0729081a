package agent

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

// TestAgentMissingPlugin: an input whose plugin binary is missing fails,
// naming the path, and keeps retrying; the plugin shows failed; another
// input on a built-in detector raises its alerts; the agent runs on.
func TestAgentMissingPlugin(t *testing.T) {
	dir := t.TempDir()
	csv, missing := filepath.Join(dir, "line.csv"), filepath.Join(dir, "plugins", "no-such-plugin")
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 350 {
		v := 10 + 0.1*math.Sin(0.7*float64(i))
		if i > 0 && i%100 == 0 {
			v += 50 // three spikes, one alert each
		}
		fmt.Fprintf(&b, "%s,%.4f\n", t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339), v)
	}
	writeFile(t, csv, b.String())
	cfgPath := filepath.Join(dir, "agent.yaml")
	writeFile(t, cfgPath, `agent: {id: edge-1, data_dir: data}
control_plane: {url: "nats://127.0.0.1:1", token: x, sync_wait: 0s}
http: {listen: "off"}
inputs:
  - {name: builtin, file: {path: line.csv}}
  - {name: plugged, file: {path: line.csv}, detector: {type: spike}}
plugins:
  - {name: spike, path: plugins/no-such-plugin}
`)
	cfg, err := config.Load(cfgPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, "test", testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	testkit.WaitFor(t, 20*time.Second, "the built-in input's 3 alerts", func() bool {
		return gatheredBy(t, a.reg, "pynomaly_agent_alerts_total", "input", "builtin") == 3
	})
	testkit.WaitFor(t, 10*time.Second, "input plugged failed, naming the plugin's path", func() bool {
		return hasHealth(a.health.inputs(), "plugged", protocol.HealthFailed, missing)
	})
	if d := a.detectorHealth(); !hasHealth(d, "spike", protocol.HealthFailed, missing) || !hasHealth(d, "zscore", protocol.HealthOK, "") {
		t.Errorf("detectors = %+v, want spike failed naming %s, zscore ok", d, missing)
	}
	if n := gatheredBy(t, a.reg, "pynomaly_agent_alerts_total", "input", "plugged"); n > 0 {
		t.Errorf("input plugged raised %v alerts without its detector", n)
	}
	select {
	case err := <-done:
		t.Fatalf("agent stopped with %v; want it running", err)
	default:
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
}

func hasHealth(cs []protocol.ComponentHealth, name, status, errPart string) bool {
	for _, c := range cs {
		if c.Name == name {
			return c.Status == status && strings.Contains(c.Error, errPart)
		}
	}
	return false
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
