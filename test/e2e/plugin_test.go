package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/decision"
	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/pipeline"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/plugins/examples/spike/spike"
)

// TestPluginCrashMidFile: two inputs read the same file, one scored by the
// built-in zscore, one by the spike plugin. The plugin is SIGKILLed while
// both are part-way through: the plugin's input fails its batch, is retried
// from its checkpoint once the plugin is relaunched, and ends with exactly
// the alerts it would have raised without the crash; the zscore input never
// notices. The crash shows in the restart counter, and the plugin's status
// returns to ok.
func TestPluginCrashMidFile(t *testing.T) {
	cp := newControlPlane(t)
	cp.start()
	plugin := buildPlugin(t, "spike")
	csv := filepath.Join(t.TempDir(), "line.csv")
	const n, rate = 3000, 300
	writeCSV(t, csv, rows(0, n))
	a := newAgent(t, agentSpec{id: "edge-plugin", natsURL: cp.natsURL(), csv: csv, rate: rate, extraYML: `  - name: spiky
    labels: {site: e2e}
    file: {path: ` + csv + `, columns: [value], follow: true, rate: ` + strconv.Itoa(rate) + `}
    detector: {type: spike}
plugins:
  - {name: spike, path: ` + plugin + `}
`})
	a.start()
	spikeWant := spikeIDs(t, "edge-plugin", "spiky", n)
	want := append(expectedIDsFor("edge-plugin", "line", 0, n), spikeWant...)
	slices.Sort(want)

	spiky := `pynomaly_agent_alerts_total{input="spiky"}`
	testkit.WaitFor(t, settle, "spike plugin alerts before the crash", func() bool { return a.metric(spiky) >= 5 })
	if got := a.metric(spiky); got >= float64(len(spikeWant)) {
		t.Fatalf("spiky input finished (%v alerts) before the kill: the test no longer kills mid-file", got)
	}
	pid := pluginPID(t, plugin)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}

	testkit.WaitFor(t, settle, "every alert of both inputs", countIs(cp, len(want)))
	time.Sleep(500 * time.Millisecond) // let any stray duplicate land before checking
	checkExactly(t, cp.alerts(), want)
	if r := a.metric(`pynomaly_agent_plugin_restarts_total{plugin="spike"}`); r < 1 {
		t.Errorf("plugin restarts = %v, want >= 1", r)
	}
	testkit.WaitFor(t, settle, "spike detector ok again", func() bool {
		h, ok := a.health()
		return ok && slices.ContainsFunc(h.Detectors, func(c component) bool { return c.Name == "spike" && c.Status == "ok" })
	})
	if again := pluginPID(t, plugin); again == pid {
		t.Errorf("plugin pid %d unchanged: it was not relaunched", pid)
	}
	for _, line := range strings.Split(a.log.String(), "\n") {
		if strings.Contains(line, "input failed") && strings.Contains(line, "input=line") {
			t.Errorf("the zscore input was disturbed by the plugin crash: %s", line)
		}
	}
	if !strings.Contains(a.log.String(), "input=spiky") || !strings.Contains(a.log.String(), "retrying from its checkpoint") {
		t.Errorf("the plugin's input did not fail and retry: the kill did not land mid-stream")
	}
	a.stop()
	if pids := pluginPIDs(plugin); len(pids) > 0 {
		t.Errorf("plugin processes %v still running after the agent stopped", pids)
	}
}

// buildPlugin builds the example plugin name into a temporary directory.
func buildPlugin(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	out, err := exec.Command("go", "build", "-o", path, "github.com/pynomaly/pynomaly/plugins/examples/"+name).CombinedOutput()
	if err != nil {
		t.Fatalf("build plugin %s: %v\n%s", name, err, out)
	}
	return path
}

// pluginPID returns the pid of the one process running the executable at path.
func pluginPID(t *testing.T, path string) int {
	t.Helper()
	var pids []int
	testkit.WaitFor(t, settle, "one plugin process", func() bool { pids = pluginPIDs(path); return len(pids) == 1 })
	return pids[0]
}

func pluginPIDs(path string) []int {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var pids []int
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if argv0, _, _ := bytes.Cut(b, []byte{0}); err == nil && string(argv0) == path {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			pids = append(pids, pid)
		}
	}
	return pids
}

// spikeIDs are the alert ids of the spike detector on rows [0, n) of input
// name, as the agent's pipeline, with the default decision, computes them
// in process: what the agent must raise through the plugin.
func spikeIDs(t *testing.T, agentID, name string, n int) []string {
	t.Helper()
	var recs []input.Record
	for i, line := range strings.Split(strings.TrimSpace(rows(0, n)), "\n") {
		_, val, _ := strings.Cut(line, ",")
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, input.Record{Line: int64(i + 2), Timestamp: rowTime(i), Values: []float64{v}})
	}
	var opts decision.Options
	if err := opts.Validate(); err != nil {
		t.Fatal(err)
	}
	p := pipeline.New(pipeline.Options{
		AgentID: agentID, Input: name, Labels: map[string]string{"site": "e2e", "input": name}, Fields: []string{"value"},
		Factory: spike.Factory, Decision: opts, Severity: "warning",
		LoadState: func(string) ([]byte, error) { return nil, nil },
	})
	res, err := p.Process(recs)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(res.Entries))
	for i, e := range res.Entries {
		ids[i] = e.ID
	}
	if len(ids) < 10 {
		t.Fatalf("spike raises %d alerts on the test data; want enough to kill the plugin between them", len(ids))
	}
	slices.Sort(ids)
	return ids
}
