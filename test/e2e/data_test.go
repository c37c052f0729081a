package e2e

import (
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

// The series: a small deterministic wave around 10, with a +50 spike every
// spikeEvery rows. The spikes are far apart (more than the decision's
// clear_after) so each is one alert, and far out (z > 400) so the robust
// z-score flags them and nothing else.
const spikeEvery = 100

var t0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// wave is row i's value before any spike.
func wave(i int) float64 { return 10 + 0.1*math.Sin(0.7*float64(i)) }

func rowTime(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }

func isSpike(i int) bool { return i > 0 && i%spikeEvery == 0 }

// rows renders rows [from, to) as CSV lines.
func rows(from, to int) string {
	var b strings.Builder
	for i := from; i < to; i++ {
		v := wave(i)
		if isSpike(i) {
			v += 50
		}
		fmt.Fprintf(&b, "%s,%.4f\n", rowTime(i).Format(time.RFC3339), v)
	}
	return b.String()
}

// expectedIDs are the alert ids an agent must raise for rows [from, to)
// of its input "line".
func expectedIDs(agentID string, from, to int) []string {
	return expectedIDsFor(agentID, "line", from, to)
}

// expectedIDsFor is expectedIDs for the named input.
func expectedIDsFor(agentID, input string, from, to int) []string {
	return expectedDetectorIDs(agentID, input, "zscore", from, to)
}

// expectedDetectorIDs is expectedIDsFor with another detector than zscore.
func expectedDetectorIDs(agentID, input, detector string, from, to int) []string {
	series := protocol.SeriesName("value", map[string]string{"site": "e2e", "input": input})
	var ids []string
	for i := from; i < to; i++ {
		if isSpike(i) {
			ids = append(ids, protocol.AlertID(agentID, series, detector, rowTime(i)))
		}
	}
	sort.Strings(ids)
	return ids
}

func writeCSV(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("timestamp,value\n"+content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendCSV(t *testing.T, path, content string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
}

// checkExactly fails unless alerts holds each wanted id exactly once and
// nothing else.
func checkExactly(t *testing.T, alerts []store.StoredAlert, want []string) {
	t.Helper()
	got := make([]string, 0, len(alerts))
	seen := map[string]int{}
	for _, a := range alerts {
		got = append(got, a.ID)
		seen[a.ID]++
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("alert %s stored %d times", id, n)
		}
	}
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("stored alerts differ from expected:\n got %d: %v\nwant %d: %v", len(got), got, len(want), want)
	}
}

// checkOrderedPerSeries asserts that the control plane stored each
// series' alerts in the order of their timestamps (alerts come in store
// order), which the agent promises per series across outages and restarts.
func checkOrderedPerSeries(t *testing.T, alerts []store.StoredAlert) {
	t.Helper()
	last := map[string]time.Time{}
	for _, a := range alerts {
		if prev, ok := last[a.Series]; ok && !a.Timestamp.After(prev) {
			t.Errorf("series %s: alert at %v stored after one at %v", a.Series, a.Timestamp, prev)
		}
		last[a.Series] = a.Timestamp
	}
}

func countIs(cp *controlPlane, n int) func() bool {
	return func() bool { return len(cp.alerts()) >= n }
}
