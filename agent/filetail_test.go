package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

// These tests run the agent on real files and a real outbox, its control
// plane unreachable so that every alert stays in the outbox, and check the
// alerts there: each expected one exactly once, in order per series.

var fileT0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// csvRows returns rows from..to-1 of a steady signal, one second apart,
// with a spike (one alert with the default zscore detector) at each of
// spikes.
func csvRows(from, to int, spikes ...int) string {
	var b strings.Builder
	for i := from; i < to; i++ {
		v := 10 + 0.1*math.Sin(0.7*float64(i))
		if slices.Contains(spikes, i) {
			v += 50
		}
		fmt.Fprintf(&b, "%s,%.4f\n", fileT0.Add(time.Duration(i)*time.Second).Format(time.RFC3339), v)
	}
	return b.String()
}

const csvHeader = "timestamp,value\n"

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// fileAgent is an agent run on one file input in dir.
type fileAgent struct {
	t      *testing.T
	dir    string
	input  string // the input section, YAML
	a      *Agent
	log    *testkit.LockedBuffer
	cancel context.CancelFunc
	done   chan error
}

func newFileAgent(t *testing.T, input string) *fileAgent {
	return &fileAgent{t: t, dir: t.TempDir(), input: input}
}

func (f *fileAgent) path(name string) string { return filepath.Join(f.dir, name) }

func (f *fileAgent) start() {
	t := f.t
	t.Helper()
	cfgPath := f.path("agent.yaml")
	writeFile(t, cfgPath, `agent: {id: edge-1, data_dir: data}
control_plane: {url: "nats://127.0.0.1:1", token: x, sync_wait: 0s}
http: {listen: "off"}
inputs:
  - name: lines
`+f.input)
	cfg, err := config.Load(cfgPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.log = &testkit.LockedBuffer{}
	a, err := New(cfg, "test", slog.New(slog.NewTextHandler(f.log, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	f.a, f.cancel, f.done = a, cancel, make(chan error, 1)
	go func() { f.done <- a.Run(ctx) }()
	t.Cleanup(f.stop)
}

func (f *fileAgent) stop() {
	if f.cancel == nil {
		return
	}
	f.cancel()
	if err := <-f.done; err != nil {
		f.t.Errorf("Run = %v", err)
	}
	f.cancel = nil
	if f.t.Failed() {
		f.t.Logf("agent log:\n%s", f.log.String())
	}
}

// waitRecords waits until the run has committed n records.
func (f *fileAgent) waitRecords(n float64) {
	f.t.Helper()
	testkit.WaitFor(f.t, 20*time.Second, fmt.Sprintf("%v records committed", n), func() bool { return f.records() >= n })
	if got := f.records(); got != n {
		f.t.Fatalf("%v records committed, want %v", got, n)
	}
}

func (f *fileAgent) records() float64 {
	return max(0, gatheredBy(f.t, f.a.reg, "pynomaly_agent_input_records_total", "input", "lines"))
}

func (f *fileAgent) waitLog(s string) {
	f.t.Helper()
	testkit.WaitFor(f.t, 20*time.Second, "log line "+s, func() bool { return strings.Contains(f.log.String(), s) })
}

// alerts returns the outbox's alerts, oldest first, as "file@second" (file
// is the file label's base name, "-" without one). Call it stopped.
func (f *fileAgent) alerts() []string {
	t := f.t
	t.Helper()
	ob, err := outbox.Open(f.path("data/" + OutboxFile))
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	es, err := ob.Peek(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if e.Kind != outbox.KindAlert {
			continue
		}
		var a protocol.Alert
		if err := json.Unmarshal(e.Payload, &a); err != nil {
			t.Fatal(err)
		}
		file := "-"
		if p, ok := a.Labels[config.FileLabel]; ok {
			file = filepath.Base(p)
		}
		out = append(out, fmt.Sprintf("%s@%d", file, int(a.Timestamp.Sub(fileT0).Seconds())))
	}
	return out
}

func checkAlerts(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("alerts in the outbox:\n got %q\nwant %q", got, want)
	}
}

// sorted returns the alerts sorted, for inputs whose files are read side
// by side (order holds per series only).
func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

// runOnLine starts an agent with input on line.csv holding rows 0-149 (a
// spike at 100) and returns it, running, once it has read them.
func runOnLine(t *testing.T, input string) (*fileAgent, string) {
	f := newFileAgent(t, input)
	line := f.path("line.csv")
	writeFile(t, line, csvHeader+csvRows(0, 150, 100))
	f.start()
	f.waitRecords(150)
	return f, line
}

// TestFileGlob: a pattern reads every file it matches, and files that
// appear later, each as its own series labelled with its path; a restart
// resumes each file at its own checkpoint.
func TestFileGlob(t *testing.T) {
	f := newFileAgent(t, "    file: {path: in/*.csv, follow: true}\n")
	must(t, os.Mkdir(f.path("in"), 0o755))
	writeFile(t, f.path("in/a.csv"), csvHeader+csvRows(0, 250, 100, 200))
	writeFile(t, f.path("in/b.csv"), csvHeader+csvRows(0, 150, 120))
	writeFile(t, f.path("in/notes.txt"), "not,a\nmatch\n")
	must(t, os.Mkdir(f.path("in/dir.csv"), 0o755)) // matches, is no file
	f.start()
	f.waitRecords(400)
	writeFile(t, f.path("in/c.csv"), csvHeader+csvRows(0, 150, 130))
	f.waitRecords(550)
	if n := gatheredBy(t, f.a.reg, "pynomaly_agent_input_files", "input", "lines"); n != 3 {
		t.Errorf("pynomaly_agent_input_files = %v, want 3", n)
	}
	if h := f.a.health.inputs(); !hasHealth(h, "lines", protocol.HealthOK, "") {
		t.Errorf("health %+v, want ok", h)
	}
	f.stop()
	checkAlerts(t, sorted(f.alerts()), "a.csv@100", "a.csv@200", "b.csv@120", "c.csv@130")

	appendTo(t, f.path("in/a.csv"), csvRows(250, 350, 300))
	f.start()
	f.waitRecords(100)
	f.stop()
	checkAlerts(t, sorted(f.alerts()), "a.csv@100", "a.csv@200", "a.csv@300", "b.csv@120", "c.csv@130")
}

// TestFileRotation: a followed file renamed away, still written to for a
// moment, and replaced by a new file at its path is read to its end before
// the new file, all as one series.
func TestFileRotation(t *testing.T) {
	f, line := runOnLine(t, "    file: {path: line.csv, follow: true, rotate_wait: 500ms}\n")
	must(t, os.Rename(line, line+".1"))
	appendTo(t, line+".1", csvRows(150, 250, 200)) // the writer's last lines
	writeFile(t, line, csvHeader+csvRows(250, 350, 300))
	f.waitRecords(350)
	f.waitLog("file was rotated")
	if n := gatheredBy(t, f.a.reg, "pynomaly_agent_input_rotations_total", "input", "lines"); n != 1 {
		t.Errorf("pynomaly_agent_input_rotations_total = %v, want 1", n)
	}
	testkit.WaitFor(t, 10*time.Second, "the rotated file closed", func() bool {
		return gatheredBy(t, f.a.reg, "pynomaly_agent_input_files", "input", "lines") == 1
	})
	f.stop()
	checkAlerts(t, f.alerts(), "-@100", "-@200", "-@300")

	// Rotated again while the agent is stopped, with lines left unread:
	// the rest is found beside the path by its inode and read first.
	rotateStopped(f, line, ".2", 350, 400)
	checkAlerts(t, f.alerts(), "-@100", "-@200", "-@300", "-@400", "-@500")
}

// rotateStopped rotates line while f is stopped: rows from..from+99 (a
// spike at spike) appended, renamed to line+suffix, and a new line with
// the next 100 rows (a spike at spike+100); then runs f until it has read
// the 200 rows.
func rotateStopped(f *fileAgent, line, suffix string, from, spike int) {
	f.t.Helper()
	appendTo(f.t, line, csvRows(from, from+100, spike))
	must(f.t, os.Rename(line, line+suffix))
	writeFile(f.t, line, csvHeader+csvRows(from+100, from+200, spike+100))
	f.start()
	f.waitRecords(200)
	f.stop()
}

// TestFileRotatedWhileStoppedGlob: with a pattern that also matches the
// rotated names, a rotated file is read under its old path, not as a new
// series, and nothing is read twice.
func TestFileRotatedWhileStoppedGlob(t *testing.T) {
	f, line := runOnLine(t, "    file: {path: \"line.csv*\", follow: true, rotate_wait: 200ms}\n")
	f.stop()
	rotateStopped(f, line, ".1", 150, 200)
	checkAlerts(t, f.alerts(), "line.csv@100", "line.csv@200", "line.csv@300")

	f.start() // line.csv.1 is finished: not read again
	f.waitLog("resuming input")
	time.Sleep(2 * scanInterval)
	f.waitRecords(0)
	f.stop()
}

// TestFileReadFromEnd: read_from: end skips what a file holds when first
// seen, and remembers where it started, so lines written while the agent
// is stopped are read.
func TestFileReadFromEnd(t *testing.T) {
	f := newFileAgent(t, "    file: {path: line.csv, follow: true, read_from: end}\n")
	line := f.path("line.csv")
	writeFile(t, line, csvHeader+csvRows(0, 150, 100))
	f.start()
	f.waitLog("reading the file from its end")
	appendTo(t, line, csvRows(150, 250, 200))
	f.waitRecords(100)
	f.stop()
	appendTo(t, line, csvRows(250, 350, 300))
	f.start()
	f.waitRecords(100)
	f.stop()
	checkAlerts(t, f.alerts(), "-@200", "-@300")
}

// TestFileReadOnceGlob: without follow, every matched file is read to its
// end and the input finishes; run again, it reads nothing.
func TestFileReadOnceGlob(t *testing.T) {
	f := newFileAgent(t, "    file: {path: \"*.csv\"}\n")
	writeFile(t, f.path("a.csv"), csvHeader+csvRows(0, 150, 100))
	writeFile(t, f.path("b.csv"), csvHeader+csvRows(0, 250, 200)+"2026-03-01T00:04:10Z,10") // last line without '\n'
	f.start()
	f.waitLog("input finished")
	f.waitRecords(401)
	f.stop()
	checkAlerts(t, sorted(f.alerts()), "a.csv@100", "b.csv@200")
	f.start()
	f.waitLog("input finished")
	f.waitRecords(0)
	f.stop()
	checkAlerts(t, sorted(f.alerts()), "a.csv@100", "b.csv@200")
}

// TestFileRewrittenWhileStopped: a file rewritten in place (same inode,
// other content, longer than the checkpoint) does not match its
// checkpoint's fingerprint and is read from its start.
func TestFileRewrittenWhileStopped(t *testing.T) {
	f, line := runOnLine(t, "    file: {path: line.csv, follow: true}\n")
	f.stop()
	writeFile(t, line, csvHeader+csvRows(1000, 1300, 1050, 1200))
	f.start()
	f.waitRecords(300)
	f.waitLog("file is not the one checkpointed")
	f.stop()
	checkAlerts(t, f.alerts(), "-@100", "-@1050", "-@1200")
}

// TestFileGlobBadFile: a matched file that cannot be read (no timestamp
// column) degrades the input, naming the file, while the others are read.
func TestFileGlobBadFile(t *testing.T) {
	f := newFileAgent(t, "    file: {path: \"*.csv\", follow: true}\n")
	writeFile(t, f.path("a.csv"), csvHeader+csvRows(0, 150, 100))
	writeFile(t, f.path("bad.csv"), "time,value\n1,2\n")
	f.start()
	f.waitRecords(150)
	testkit.WaitFor(t, 10*time.Second, "input degraded naming bad.csv", func() bool {
		return hasHealth(f.a.health.inputs(), "lines", protocol.HealthDegraded, f.path("bad.csv"))
	})
	f.stop()
	checkAlerts(t, f.alerts(), "a.csv@100")
}

// TestFileGlobNoMatch: a pattern matching nothing fails the input's
// health, saying so, until a file appears.
func TestFileGlobNoMatch(t *testing.T) {
	f := newFileAgent(t, "    file: {path: \"in/*.csv\", follow: true}\n")
	f.start()
	testkit.WaitFor(t, 10*time.Second, "input failed: no file matches", func() bool {
		return hasHealth(f.a.health.inputs(), "lines", protocol.HealthFailed, "no file matches")
	})
	must(t, os.Mkdir(f.path("in"), 0o755))
	writeFile(t, f.path("in/a.csv"), csvHeader+csvRows(0, 150, 100))
	f.waitRecords(150)
	if h := f.a.health.inputs(); !hasHealth(h, "lines", protocol.HealthOK, "") {
		t.Errorf("health %+v, want ok", h)
	}
	f.stop()
	checkAlerts(t, f.alerts(), "a.csv@100")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestFileFailureRetried: a followed file that becomes unreadable (its
// header rewritten without the timestamp column) fails the input, naming
// the problem; once the file is good again it is read, in the same run.
func TestFileFailureRetried(t *testing.T) {
	f, line := runOnLine(t, "    file: {path: line.csv, follow: true}\n")
	writeFile(t, line, "time,value\n1,2\n")
	testkit.WaitFor(t, 10*time.Second, "input failed: missing column", func() bool {
		return hasHealth(f.a.health.inputs(), "lines", protocol.HealthFailed, "timestamp")
	})
	writeFile(t, line, csvHeader+csvRows(1000, 1150, 1100))
	f.waitRecords(300)
	f.stop()
	checkAlerts(t, f.alerts(), "-@100", "-@1100")
}
