package e2e

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/internal/testkit"
)

const settle = 30 * time.Second

// TestDeliveryAcrossControlPlaneRestart: a CSV with known anomalies gives
// exactly the expected alerts; with the control plane stopped the agent
// keeps detecting into its outbox; after a restart every alert arrives
// exactly once.
func TestDeliveryAcrossControlPlaneRestart(t *testing.T) {
	cp := newControlPlane(t)
	cp.start()
	csv := filepath.Join(t.TempDir(), "line.csv")
	// Two bad lines mid-file: counted by reason and skipped, never fatal.
	writeCSV(t, csv, rows(0, 250)+"2026-03-01T05:00:00Z,not-a-number\nmalformed,row,with,extra,fields\n"+rows(250, 500))
	a := newAgent(t, agentSpec{id: "edge-1", natsURL: cp.natsURL(), csv: csv})
	a.start()

	want := expectedIDs("edge-1", 0, 500)
	testkit.WaitFor(t, settle, "first alerts", countIs(cp, len(want)))
	checkExactly(t, cp.alerts(), want)
	for _, reason := range []string{"non_numeric", "malformed"} {
		sel := `pynomaly_agent_input_errors_total{input="line",reason="` + reason + `"}`
		testkit.WaitFor(t, settle, sel+" = 1", func() bool { return a.metric(sel) == 1 })
	}
	testkit.WaitFor(t, settle, "agent listed online", func() bool {
		ag := cp.agents()
		return len(ag) == 1 && ag[0].ID == "edge-1" && ag[0].Status == api.StatusOnline
	})

	cp.stop()
	appendCSV(t, csv, rows(500, 1000))
	more := expectedIDs("edge-1", 500, 1000)
	testkit.WaitFor(t, settle, "new alerts buffered in the outbox", func() bool {
		h, ok := a.health()
		return ok && h.OutboxDepth == int64(len(more))
	})

	cp.start()
	all := expectedIDs("edge-1", 0, 1000)
	testkit.WaitFor(t, settle, "buffered alerts delivered", countIs(cp, len(all)))
	testkit.WaitFor(t, settle, "outbox drained", func() bool { h, ok := a.health(); return ok && h.OutboxDepth == 0 })
	checkExactly(t, cp.alerts(), all)
	checkOrderedPerSeries(t, cp.alerts())
}

// TestAgentKilledMidFile: SIGKILL the agent five times at random moments
// while it is part-way through a steady stream (a file replayed at 2,000
// rows/s); after each restart it resumes from its checkpoint, and the
// control plane ends with every alert exactly once.
func TestAgentKilledMidFile(t *testing.T) {
	cp := newControlPlane(t)
	cp.start()
	csv := filepath.Join(t.TempDir(), "line.csv")
	// 10 s of rows; five lives of at most 1.2 s each cannot reach the end.
	const n = 20000
	writeCSV(t, csv, rows(0, n))
	a := newAgent(t, agentSpec{id: "edge-kill", natsURL: cp.natsURL(), csv: csv, rate: 2000})
	seed := time.Now().UnixNano()
	rnd := rand.New(rand.NewPCG(uint64(seed), 0))
	t.Logf("seed %d", seed)
	a.start()
	want := expectedIDs("edge-kill", 0, n)
	for k := 1; k <= 5; k++ {
		testkit.WaitFor(t, settle, "the agent up", func() bool { _, ok := a.health(); return ok })
		life := time.Duration(300+rnd.IntN(900)) * time.Millisecond
		time.Sleep(life)
		got := len(cp.alerts())
		if got >= len(want) {
			t.Fatalf("file finished (%d alerts) before kill %d: the test no longer kills mid-stream", got, k)
		}
		a.kill()
		t.Logf("kill %d after %v up: %d of %d alerts at the control plane", k, life, got, len(want))
		a.start()
	}
	testkit.WaitFor(t, settle, "all alerts after restarts", countIs(cp, len(want)))
	time.Sleep(500 * time.Millisecond) // let any stray duplicate land before checking
	checkExactly(t, cp.alerts(), want)
	checkOrderedPerSeries(t, cp.alerts())
	t.Logf("after 5 kills: %d alerts, each exactly once, in order", len(cp.alerts()))
	if !strings.Contains(a.log.String(), "resuming input") {
		t.Errorf("restarted agent did not resume from its checkpoint")
	}
}

// TestAgentStartsWithControlPlaneDown: an unreachable control plane at
// start is not fatal; the agent detects offline and delivers later.
func TestAgentStartsWithControlPlaneDown(t *testing.T) {
	cp := newControlPlane(t) // not started yet
	csv := filepath.Join(t.TempDir(), "line.csv")
	writeCSV(t, csv, rows(0, 350))
	a := newAgent(t, agentSpec{id: "edge-offline", natsURL: cp.natsURL(), csv: csv})
	a.start()
	want := expectedIDs("edge-offline", 0, 350)
	testkit.WaitFor(t, settle, "alerts buffered while offline", func() bool {
		h, ok := a.health()
		return ok && h.OutboxDepth == int64(len(want))
	})
	if !strings.Contains(a.log.String(), "control plane unreachable") {
		t.Errorf("agent did not say the control plane was unreachable")
	}
	cp.start()
	testkit.WaitFor(t, settle, "alerts delivered", countIs(cp, len(want)))
	checkExactly(t, cp.alerts(), want)
}

// TestAgentWaitsForMissingFile: a missing input file is reported in the
// agent's health, naming the path, and read once it appears.
func TestAgentWaitsForMissingFile(t *testing.T) {
	cp := newControlPlane(t)
	cp.start()
	csv := filepath.Join(t.TempDir(), "late.csv")
	a := newAgent(t, agentSpec{id: "edge-late", natsURL: cp.natsURL(), csv: csv})
	a.start()
	testkit.WaitFor(t, settle, "input reported failed", func() bool {
		h, ok := a.health()
		return ok && len(h.Inputs) == 1 && h.Inputs[0].Status == "failed" && strings.Contains(h.Inputs[0].Error, csv)
	})
	writeCSV(t, csv, rows(0, 250))
	want := expectedIDs("edge-late", 0, 250)
	testkit.WaitFor(t, settle, "alerts from the late file", countIs(cp, len(want)))
	checkExactly(t, cp.alerts(), want)
}

// TestCorruptOutbox: an outbox file corrupted while the agent is stopped
// is moved aside; the agent starts on a fresh one, says so in /health and
// its metrics, reads its input again from the start (its checkpoints went
// with the file) and the control plane still ends with every alert once.
func TestCorruptOutbox(t *testing.T) {
	cp := newControlPlane(t)
	cp.start()
	csv := filepath.Join(t.TempDir(), "line.csv")
	writeCSV(t, csv, rows(0, 250))
	a := newAgent(t, agentSpec{id: "edge-corrupt", natsURL: cp.natsURL(), csv: csv})
	a.start()
	testkit.WaitFor(t, settle, "alerts before the corruption", countIs(cp, 2))
	a.stop()

	db := filepath.Join(a.dataDir, "agent.db")
	f, err := os.OpenFile(db, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xAB}, 2*4096), 2*4096); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	appendCSV(t, csv, rows(250, 350))

	a.start()
	want := expectedIDs("edge-corrupt", 0, 350)
	testkit.WaitFor(t, settle, "every alert once", countIs(cp, len(want)))
	checkExactly(t, cp.alerts(), want)
	h, ok := a.health()
	if !ok || h.Status != "degraded" || h.Outbox.Status != "degraded" || !strings.Contains(h.Outbox.Error, db+".corrupt-") {
		t.Errorf("health %+v, want degraded with the outbox naming %s.corrupt-…", h, db)
	}
	if n := a.metric("pynomaly_agent_outbox_set_aside_total"); n != 1 {
		t.Errorf("pynomaly_agent_outbox_set_aside_total = %v, want 1", n)
	}
	if aside, _ := filepath.Glob(db + ".corrupt-*"); len(aside) != 1 {
		t.Errorf("set-aside files %v, want one", aside)
	}
	// The control plane learns it from the heartbeats.
	testkit.WaitFor(t, settle, "the agent degraded at the control plane", func() bool {
		ags := cp.agents()
		return len(ags) == 1 && ags[0].Status == api.StatusDegraded && ags[0].Outbox != nil && ags[0].Outbox.Status == "degraded"
	})
}

// TestOutboxFullDropOldest: with the control plane down, an outbox at its
// byte limit drops its oldest alerts; the dropped counter and the outbox
// depth add up to every alert raised, and the control plane, once back,
// gets exactly the newest ones.
func TestOutboxFullDropOldest(t *testing.T) {
	cp := newControlPlane(t) // down for now
	csv := filepath.Join(t.TempDir(), "line.csv")
	const n = 3000 // 29 spikes
	writeCSV(t, csv, rows(0, n))
	a := newAgent(t, agentSpec{id: "edge-full", natsURL: cp.natsURL(), csv: csv,
		extraYML: "outbox: {max_bytes: 4KiB, on_full: drop_oldest}\n"})
	a.start()
	testkit.WaitFor(t, settle, "the file read", func() bool { return a.metric(`pynomaly_agent_input_records_total{input="line"}`) == n })
	raised, dropped := a.metric("pynomaly_agent_alerts_total"), a.metric("pynomaly_agent_outbox_dropped_total")
	h, _ := a.health()
	kept := int(raised - dropped)
	t.Logf("raised %v alerts, dropped %v, kept %d (%v bytes)", raised, dropped, kept, a.metric("pynomaly_agent_outbox_bytes"))
	if raised != 29 || dropped == 0 || int64(kept) != h.OutboxDepth || a.metric("pynomaly_agent_outbox_bytes") > 4096 {
		t.Fatalf("raised %v, dropped %v, depth %d, bytes %v: want 29 raised, some dropped, the rest kept within 4 KiB",
			raised, dropped, h.OutboxDepth, a.metric("pynomaly_agent_outbox_bytes"))
	}
	cp.start()
	want := expectedIDs("edge-full", (29-kept+1)*spikeEvery, n) // the newest kept
	testkit.WaitFor(t, settle, "the kept alerts delivered", countIs(cp, kept))
	time.Sleep(500 * time.Millisecond)
	checkExactly(t, cp.alerts(), want)
}

// TestOutboxFullPause: with on_full: pause, an outbox at its limit stops
// the input instead of dropping; once the control plane is back the input
// goes on and every alert arrives exactly once.
func TestOutboxFullPause(t *testing.T) {
	cp := newControlPlane(t) // down for now
	csv := filepath.Join(t.TempDir(), "line.csv")
	const n = 3000
	writeCSV(t, csv, rows(0, n))
	a := newAgent(t, agentSpec{id: "edge-pause", natsURL: cp.natsURL(), csv: csv,
		extraYML: "outbox: {max_bytes: 4KiB, on_full: pause}\n"})
	a.start()
	testkit.WaitFor(t, settle, "the input paused", func() bool { return a.metric("pynomaly_agent_outbox_paused") == 1 })
	time.Sleep(time.Second)
	if read := a.metric(`pynomaly_agent_input_records_total{input="line"}`); read >= n {
		t.Fatalf("%v records read while paused, want the input held before the end", read)
	}
	cp.start()
	want := expectedIDs("edge-pause", 0, n)
	testkit.WaitFor(t, settle, "every alert delivered", countIs(cp, len(want)))
	time.Sleep(500 * time.Millisecond)
	checkExactly(t, cp.alerts(), want)
	if d, p := a.metric("pynomaly_agent_outbox_dropped_total"), a.metric("pynomaly_agent_outbox_paused"); d != 0 || p != 0 {
		t.Errorf("dropped %v, paused %v; want 0, 0", d, p)
	}
}
