package e2e

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/internal/testkit"
)

// TestNATSRestartedWhilePublishing (fault test 3): an external NATS server
// with JetStream on disk is shut down three times while an agent streams
// alerts through it to a control plane in external mode, and started again
// on the same port and store. The agent buffers while NATS is gone, the
// control plane reports it not ready and reconnects, and every alert is
// stored exactly once, in order per series.
func TestNATSRestartedWhilePublishing(t *testing.T) {
	ext := testkit.StartNATSServer(t, token, nil)
	cp := newExternalControlPlane(t, ext.URL())
	cp.start()
	csv := filepath.Join(t.TempDir(), "line.csv")
	// 20 s of rows at most: three outages, each ended as soon as the agent
	// has buffered a few alerts, are far shorter.
	const n = 40000
	writeCSV(t, csv, rows(0, n))
	a := newAgent(t, agentSpec{id: "edge-natsrestart", natsURL: cp.natsURL(), csv: csv, rate: 2000})
	a.start()
	want := expectedIDs("edge-natsrestart", 0, n)
	stored := 0
	for k := 1; k <= 3; k++ {
		// Each outage starts after more alerts went through, mid-stream.
		testkit.WaitFor(t, settle, "alerts flowing", func() bool { return len(cp.alerts()) >= stored+5 })
		stored = len(cp.alerts())
		if stored >= len(want) {
			t.Fatalf("file finished (%d alerts) before NATS restart %d: the test no longer restarts mid-stream", stored, k)
		}
		ext.Stop()
		testkit.WaitFor(t, settle, "the control plane not ready", func() bool { return !cp.ready() })
		testkit.WaitFor(t, settle, "alerts buffered in the outbox", func() bool {
			h, ok := a.health()
			return ok && h.OutboxDepth >= 5
		})
		h, _ := a.health()
		ext.Start()
		testkit.WaitFor(t, settle, "the control plane ready again", cp.ready)
		t.Logf("NATS restart %d: stopped with %d of %d alerts stored; %d buffered in the agent's outbox while it was down",
			k, stored, len(want), h.OutboxDepth)
	}
	testkit.WaitFor(t, 2*settle, "every alert after the restarts", countIs(cp, len(want)))
	testkit.WaitFor(t, settle, "outbox drained", func() bool { h, ok := a.health(); return ok && h.OutboxDepth == 0 })
	time.Sleep(500 * time.Millisecond) // let any stray duplicate land before checking
	got := cp.alerts()
	checkExactly(t, got, want)
	checkOrderedPerSeries(t, got)
	t.Logf("after 3 NATS restarts: %d alerts stored, each exactly once, in order; agent: %v publish errors, %v reconnects; control plane: %v redelivered alerts skipped as duplicates",
		len(got), a.metric("pynomaly_agent_uplink_errors_total"), a.metric("pynomaly_agent_uplink_reconnects_total"),
		cp.metric("pynomaly_alerts_duplicate_total"))
}
