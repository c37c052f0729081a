package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/internal/testkit"
)

// TestHeaderArrivesLater: a followed CSV that is still empty when the agent
// starts gets its header and rows later; they are all scored.
func TestHeaderArrivesLater(t *testing.T) {
	cp := newControlPlane(t)
	cp.start()
	csv := filepath.Join(t.TempDir(), "line.csv")
	if err := os.WriteFile(csv, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	a := newAgent(t, agentSpec{id: "edge-empty", natsURL: cp.natsURL(), csv: csv})
	a.start()
	appendCSV(t, csv, "timestamp,value\n"+rows(0, 250))
	want := expectedIDs("edge-empty", 0, 250)
	testkit.WaitFor(t, settle, "alerts from rows written after start", countIs(cp, len(want)))
	checkExactly(t, cp.alerts(), want)
}

// TestTwoInputsSameColumns: two inputs with the same column and labels are
// still separate series (each is labelled with its input), so neither
// input's alerts hide the other's.
func TestTwoInputsSameColumns(t *testing.T) {
	cp := newControlPlane(t)
	cp.start()
	csv := filepath.Join(t.TempDir(), "line.csv")
	writeCSV(t, csv, rows(0, 350))
	a := newAgent(t, agentSpec{id: "edge-two", natsURL: cp.natsURL(), csv: csv, extraYML: `  - name: twin
    labels: {site: e2e}
    file:
      path: ` + csv + `
      columns: [value]
`})
	a.start()
	want := append(expectedIDsFor("edge-two", "line", 0, 350), expectedIDsFor("edge-two", "twin", 0, 350)...)
	slices.Sort(want)
	testkit.WaitFor(t, settle, "alerts of both inputs", countIs(cp, len(want)))
	checkExactly(t, cp.alerts(), want)
}

// TestTruncatedFile: copytruncate-style rotation of a followed file is
// noticed, the file is read again from the start, and the agent keeps
// running.
func TestTruncatedFile(t *testing.T) {
	cp := newControlPlane(t)
	cp.start()
	csv := filepath.Join(t.TempDir(), "line.csv")
	writeCSV(t, csv, rows(0, 250))
	a := newAgent(t, agentSpec{id: "edge-trunc", natsURL: cp.natsURL(), csv: csv})
	a.start()
	testkit.WaitFor(t, settle, "alerts before truncation", countIs(cp, 2))
	writeCSV(t, csv, "") // truncated to its header
	testkit.WaitFor(t, settle, "truncation noticed", func() bool { return strings.Contains(a.log.String(), "file was truncated") })
	appendCSV(t, csv, rows(1000, 1250))
	want := append(expectedIDs("edge-trunc", 0, 250), expectedIDs("edge-trunc", 1000, 1250)...)
	slices.Sort(want)
	testkit.WaitFor(t, settle, "alerts after truncation", countIs(cp, len(want)))
	checkExactly(t, cp.alerts(), want)
	if h, ok := a.health(); !ok || h.Inputs[0].Status != "ok" {
		t.Errorf("agent health after truncation: %+v, %v", h, ok)
	}
}

// TestInputPathChanged: pointing an input at another file starts that file
// from its beginning, not at the old file's checkpoint.
func TestInputPathChanged(t *testing.T) {
	cp := newControlPlane(t)
	cp.start()
	dir := t.TempDir()
	day1, day2 := filepath.Join(dir, "day1.csv"), filepath.Join(dir, "day2.csv")
	writeCSV(t, day1, rows(0, 250))
	writeCSV(t, day2, rows(1000, 1350))
	a := newAgent(t, agentSpec{id: "edge-path", natsURL: cp.natsURL(), csv: day1})
	a.start()
	testkit.WaitFor(t, settle, "day 1 alerts", countIs(cp, 2))
	a.stop()
	a.rewrite(day1, day2)
	a.start()
	want := append(expectedIDs("edge-path", 0, 250), expectedIDs("edge-path", 1000, 1350)...)
	slices.Sort(want)
	testkit.WaitFor(t, settle, "day 2 alerts", countIs(cp, len(want)))
	checkExactly(t, cp.alerts(), want)
}

// TestAgentIDChangedWithBufferedAlerts: alerts buffered under one agent id
// are never published under another; the agent refuses to start and says
// how to deliver them.
func TestAgentIDChangedWithBufferedAlerts(t *testing.T) {
	cp := newControlPlane(t) // never started: alerts stay buffered
	csv := filepath.Join(t.TempDir(), "line.csv")
	writeCSV(t, csv, rows(0, 250))
	a := newAgent(t, agentSpec{id: "edge-old", natsURL: cp.natsURL(), csv: csv})
	a.start()
	testkit.WaitFor(t, settle, "alerts buffered", func() bool { h, ok := a.health(); return ok && h.OutboxDepth == 2 })
	a.stop()
	a.rewrite("id: edge-old", "id: edge-new")
	out, err := exec.Command(agentBin, "run", "--config", a.config).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("want exit status 1, got %v\n%s", err, out)
	}
	if want := `holds 2 undelivered alerts of agent "edge-old"`; !strings.Contains(string(out), want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}
