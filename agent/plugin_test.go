package agent

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/protocol"
)

// spikePlugin builds the example plugin into a temporary directory.
func spikePlugin(t *testing.T) string {
	return buildPlugin(t, "github.com/pynomaly/pynomaly/plugins/examples/spike")
}

func buildPlugin(t *testing.T, pkg string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a plugin binary")
	}
	path := filepath.Join(t.TempDir(), filepath.Base(pkg))
	out, err := exec.Command("go", "build", "-o", path, pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("build plugin %s: %v\n%s", pkg, err, out)
	}
	return path
}

// testLogger collects a test's log, shown if it fails. (t.Log would panic
// on a plugin's late stderr line.)
func testLogger(t *testing.T) *slog.Logger {
	var buf testkit.LockedBuffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", buf.String())
		}
	})
	return slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration // before jitter
	}{
		{0, time.Second}, {1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second},
		{7, time.Minute}, {40, time.Minute}, {1000, time.Minute},
	}
	for _, tc := range tests {
		for range 50 {
			got := backoff(time.Second, time.Minute, tc.failures)
			if lo, hi := tc.want*8/10, tc.want*12/10; got < lo || got > hi {
				t.Fatalf("backoff(1s, 1m, %d) = %s, want within [%s, %s]", tc.failures, got, lo, hi)
			}
		}
	}
}

func testSupervisor(t *testing.T) (*supervisor, *prometheus.Registry) {
	reg := prometheus.NewRegistry()
	pm, err := newPluginMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	s := newSupervisor(supervisorOptions{MinBackoff: time.Second, MaxBackoff: 2 * time.Second,
		CallTimeout: 5 * time.Second, Metrics: pm, Logger: testLogger(t)})
	t.Cleanup(s.Close)
	return s, reg
}

// TestPluginRestartsAfterCrash: a killed plugin fails calls, is counted as
// crashed, is not relaunched before its backoff, then is relaunched.
func TestPluginRestartsAfterCrash(t *testing.T) {
	s, reg := testSupervisor(t)
	m := s.add(config.Plugin{Name: "spike", Path: spikePlugin(t)})
	f, report, err := m.acquire()
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	d, err := f.New(1)
	if err != nil {
		t.Fatal(err)
	}
	pid := m.p.PID()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, err = d.Score([]float64{1})
	if !errors.Is(err, sdk.ErrPluginExited) {
		t.Fatalf("Score on a killed plugin: %v, want ErrPluginExited", err)
	}
	report(err)
	if h := m.health(); h.Status != protocol.HealthFailed || !strings.Contains(h.Error, "exited") {
		t.Errorf("health after crash = %+v, want failed, saying it exited", h)
	}
	if _, _, err := m.acquire(); err == nil || !strings.Contains(err.Error(), "next start in") {
		t.Errorf("acquire within the backoff = %v, want an error saying when it starts again", err)
	}
	testkit.WaitFor(t, 5*time.Second, "relaunch", func() bool { _, _, err := m.acquire(); return err == nil })
	if m.p.PID() == pid {
		t.Errorf("plugin pid %d unchanged: not relaunched", pid)
	}
	if h := m.health(); h.Status != protocol.HealthOK || !strings.Contains(h.Error, "restarted after") {
		t.Errorf("health after relaunch = %+v, want ok, with the last error", h)
	}
	for name, want := range map[string]float64{
		"pynomaly_agent_plugin_restarts_total": 1, "pynomaly_agent_plugin_crashes_total": 1, "pynomaly_agent_plugin_up": 1,
	} {
		if got := gathered(t, reg, name, "spike"); got != want {
			t.Errorf("%s{plugin=spike} = %v, want %v", name, got, want)
		}
	}
	pid = m.p.PID()
	s.Close()
	if up := gathered(t, reg, "pynomaly_agent_plugin_up", "spike"); up != 0 {
		t.Errorf("plugin_up after Close = %v, want 0", up)
	}
	testkit.WaitFor(t, 5*time.Second, "plugin process gone after Close", func() bool {
		return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
	})
}

// TestPluginHangs: a call the plugin never answers fails after the call
// timeout, marks the run's factory lost, and the plugin is killed.
func TestPluginHangs(t *testing.T) {
	s, reg := testSupervisor(t)
	s.opts.CallTimeout = 300 * time.Millisecond
	m := s.add(config.Plugin{Name: "hang", Path: buildPlugin(t, "./testdata/hangplugin")})
	pf, err := newPipelineFactory(m)
	if err != nil {
		t.Fatal(err)
	}
	d, err := pf.New(1)
	if err != nil {
		t.Fatal(err)
	}
	pid := m.p.PID()
	start := time.Now()
	_, err = d.Score([]float64{1})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("Score on a hung plugin = %v after %s, want DeadlineExceeded after about 300ms", err, time.Since(start))
	}
	start = time.Now()
	if _, err := d.Score([]float64{1}); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 100*time.Millisecond {
		t.Errorf("second Score = %v after %s, want the loss at once", err, time.Since(start))
	}
	if !errors.Is(pf.Lost(), context.DeadlineExceeded) {
		t.Errorf("Lost() = %v, want the timeout", pf.Lost())
	}
	testkit.WaitFor(t, 5*time.Second, "hung plugin killed", func() bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) })
	if h := m.health(); h.Status != protocol.HealthFailed || !strings.Contains(h.Error, "no answer within") {
		t.Errorf("health = %+v, want failed, saying it did not answer", h)
	}
	if c := gathered(t, reg, "pynomaly_agent_plugin_crashes_total", "hang"); c != 1 {
		t.Errorf("crashes = %v, want 1", c)
	}
}

func TestPluginLaunchErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, path string
		params     map[string]string
		want       error
	}{
		{"missing", filepath.Join(dir, "no-such-plugin"), nil, fs.ErrNotExist},
		{"directory", dir, nil, sdk.ErrIncompatiblePlugin},
		{"params refused", spikePlugin(t), map[string]string{"alpha": "0.1"}, sdk.ErrBadParams},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, reg := testSupervisor(t)
			m := s.add(config.Plugin{Name: "p", Path: tc.path, Params: tc.params})
			_, _, err := m.acquire()
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.path) {
				t.Fatalf("acquire = %v, want an error wrapping %v naming %s", err, tc.want, tc.path)
			}
			_, _, again := m.acquire()
			if !errors.Is(again, tc.want) || !strings.Contains(again.Error(), "next start in") {
				t.Errorf("acquire again = %v, want the same error, after the backoff", again)
			}
			if h := s.health(); len(h) != 1 || h[0].Status != protocol.HealthFailed || !strings.Contains(h[0].Error, tc.path) {
				t.Errorf("health = %+v, want p failed naming %s", h, tc.path)
			}
			if up := gathered(t, reg, "pynomaly_agent_plugin_up", "p"); up != 0 {
				t.Errorf("plugin_up = %v, want 0", up)
			}
		})
	}
}

// gathered returns the value of metric name's sample for plugin.
func gathered(t *testing.T, g prometheus.Gatherer, name, plugin string) float64 {
	return gatheredBy(t, g, name, "plugin", plugin)
}

// gatheredBy returns the value of metric name's sample with label=value.
func gatheredBy(t *testing.T, g prometheus.Gatherer, name, label, value string) float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					return m.GetCounter().GetValue() + m.GetGauge().GetValue()
				}
			}
		}
	}
	return -1
}
