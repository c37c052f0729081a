package uplink_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pynomaly/pynomaly/agent/uplink"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

// TestDeliverAndDedupe: every entry reaches the stream once, under its
// id, whether the stream takes atomic batches (the control plane's) or not
// (an older control plane's: the uplink falls back to one message at a
// time), and a replay of the same ids adds nothing.
func TestDeliverAndDedupe(t *testing.T) {
	for _, atomic := range []bool{true, false} {
		t.Run(fmt.Sprintf("atomic=%v", atomic), func(t *testing.T) {
			ns := NewTestServer(t, -1, nil)
			st := createStreamAtomic(t, ns, atomic)
			ob := openOutbox(t)
			reg := prometheus.NewRegistry()
			startUplink(t, uplink.Options{URL: ns.ClientURL(), Token: token, Outbox: ob, Registerer: reg})

			sent := commitAlerts(t, ob, "a", 10)
			testkit.WaitFor(t, 5*time.Second, "the outbox to drain", func() bool { return ob.Depth() == 0 })
			if left, err := ob.Peek(100); err != nil || len(left) != 0 {
				t.Fatalf("outbox after delivery = %v, %v", left, err)
			}
			if n := streamMsgs(t, st); n != 10 {
				t.Fatalf("stream holds %d messages, want 10", n)
			}
			for i, e := range sent {
				m, err := st.GetMsg(t.Context(), uint64(i+1))
				if err != nil {
					t.Fatal(err)
				}
				if got := m.Header.Get(jetstream.MsgIDHeader); got != e.ID {
					t.Errorf("msg %d: %s = %q, want %q", i+1, jetstream.MsgIDHeader, got, e.ID)
				}
				if m.Subject != protocol.AlertSubject(agentID) || !bytes.Equal(m.Data, e.Payload) {
					t.Errorf("msg %d = %s %s, want %s %s", i+1, m.Subject, m.Data, protocol.AlertSubject(agentID), e.Payload)
				}
				if batched := m.Header.Get("Nats-Batch-Id") != ""; batched != atomic {
					t.Errorf("msg %d: in an atomic batch = %v, want %v", i+1, batched, atomic)
				}
			}

			// A replay after a crash re-commits the same ids: they are
			// delivered and removed again (a batch of seen ids is refused
			// and sent one by one), but the stream keeps one copy of each.
			commitAlerts(t, ob, "a", 10)
			testkit.WaitFor(t, 5*time.Second, "the replayed entries to drain", func() bool { return ob.Depth() == 0 })
			if n := streamMsgs(t, st); n != 10 {
				t.Errorf("stream holds %d messages after the replay, want 10", n)
			}
			if got := gauge(t, reg, "pynomaly_agent_uplink_delivered_total"); got != 20 {
				t.Errorf("delivered_total = %v, want 20", got)
			}
			if got := gauge(t, reg, "pynomaly_agent_uplink_errors_total"); got != 0 {
				t.Errorf("errors_total = %v, want 0: a refused batch is not a failure", got)
			}
			if got := gauge(t, reg, "pynomaly_agent_outbox_depth"); got != 0 {
				t.Errorf("outbox_depth = %v, want 0", got)
			}
		})
	}
}

func TestServerDownAtStart(t *testing.T) {
	port := testkit.FreePort(t)
	ob := openOutbox(t)
	commitAlerts(t, ob, "a", 6)
	var logs testkit.LockedBuffer
	r := startUplink(t, uplink.Options{URL: fmt.Sprintf("nats://127.0.0.1:%d", port), Token: token, Outbox: ob, Logger: slog.New(slog.NewTextHandler(&logs, nil))})

	testkit.WaitFor(t, 5*time.Second, "a failed connection attempt to be logged", func() bool {
		return strings.Contains(logs.String(), "cannot connect to control plane")
	})
	commitAlerts(t, ob, "b", 2) // detection goes on while offline
	if r.exited() || ob.Depth() != 8 {
		t.Fatalf("with the server down: Run exited %v (%v), outbox depth %d; want running, 8", r.exited(), r.err, ob.Depth())
	}

	ns := NewTestServer(t, port, nil)
	st := createStream(t, ns)
	testkit.WaitFor(t, 10*time.Second, "the outbox to drain once the server is up", func() bool { return ob.Depth() == 0 })
	if n := streamMsgs(t, st); n != 8 {
		t.Errorf("stream holds %d messages, want 8", n)
	}
}

func TestHeartbeats(t *testing.T) {
	ns := NewTestServer(t, -1, nil)
	nc, err := nats.Connect(ns.ClientURL(), nats.Token(token))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	sub, err := nc.SubscribeSync(protocol.HeartbeatSubject(agentID))
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	ob := openOutbox(t)
	commitAlerts(t, ob, "a", 3) // no stream: they stay, and heartbeats say so
	startUplink(t, uplink.Options{URL: ns.ClientURL(), Token: token, Outbox: ob,
		HeartbeatInterval: 100 * time.Millisecond,
		Heartbeat:         func() protocol.Heartbeat { return protocol.Heartbeat{Hostname: "host-a", AgentVersion: "v9"} }})

	var last time.Time
	for i := range 3 {
		m, err := sub.NextMsg(5 * time.Second)
		if err != nil {
			t.Fatalf("heartbeat %d: %v", i, err)
		}
		hb, err := protocol.DecodeHeartbeat(m.Data)
		if err != nil {
			t.Fatalf("heartbeat %d: %v (%s)", i, err, m.Data)
		}
		if hb.AgentID != agentID || hb.Hostname != "host-a" || hb.AgentVersion != "v9" || hb.IntervalSeconds != 0.1 || hb.OutboxDepth != 3 {
			t.Errorf("heartbeat %d = %+v", i, hb)
		}
		if !hb.SentAt.After(last) {
			t.Errorf("heartbeat %d sent at %s, not after the previous %s", i, hb.SentAt, last)
		}
		last = hb.SentAt
	}
}

// TestWrongToken: a rejected token loses nothing, is logged with the fix,
// and once the control plane accepts the token the outbox drains without
// restarting the agent.
func TestWrongToken(t *testing.T) {
	port, store := testkit.FreePort(t), t.TempDir()
	ns := NewTestServer(t, port, func(o *server.Options) { o.StoreDir = store })
	st := createStream(t, ns)
	ob := openOutbox(t)
	commitAlerts(t, ob, "a", 5)
	var logs testkit.LockedBuffer
	rejected := &authCounter{}
	ns.SetLogger(rejected, false, false)
	r := startUplink(t, uplink.Options{URL: ns.ClientURL(), Token: "wrong", Outbox: ob, Logger: slog.New(slog.NewTextHandler(&logs, nil))})

	testkit.WaitFor(t, 5*time.Second, "the authorization error to be logged", func() bool {
		return strings.Contains(logs.String(), "Authorization Violation (check control_plane.token or token_file)")
	})
	// The NATS client gives up after two rejections unless told not to.
	testkit.WaitFor(t, 10*time.Second, "three rejected connection attempts", func() bool { return rejected.n.Load() >= 3 })
	if r.exited() || ob.Depth() != 5 || streamMsgs(t, st) != 0 {
		t.Fatalf("with a wrong token: Run exited %v (%v), outbox depth %d; want running, 5 kept", r.exited(), r.err, ob.Depth())
	}

	ns.Shutdown()
	ns.WaitForShutdown()
	NewTestServer(t, port, func(o *server.Options) { o.StoreDir, o.Authorization = store, "wrong" })
	testkit.WaitFor(t, 10*time.Second, "the outbox to drain once the token is accepted", func() bool { return ob.Depth() == 0 })
	if r.exited() {
		t.Errorf("Run exited: %v", r.err)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	ob := openOutbox(t)
	tests := []struct {
		name string
		opts uplink.Options
		want string
	}{
		{"no url", uplink.Options{Outbox: ob, AgentID: agentID}, "a NATS URL and an outbox are required"},
		{"no outbox", uplink.Options{URL: "nats://127.0.0.1:1", AgentID: agentID}, "a NATS URL and an outbox are required"},
		{"bad agent id", uplink.Options{URL: "nats://127.0.0.1:1", Outbox: ob, AgentID: "a.b"}, `agent id "a.b"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := uplink.New(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// authCounter is a nats-server logger counting rejected connections.
type authCounter struct{ n atomic.Int64 }

func (a *authCounter) Errorf(format string, v ...any) {
	if strings.Contains(fmt.Sprintf(format, v...), "authentication error") {
		a.n.Add(1)
	}
}
func (a *authCounter) Noticef(string, ...any) {}
func (a *authCounter) Warnf(string, ...any)   {}
func (a *authCounter) Fatalf(string, ...any)  {}
func (a *authCounter) Debugf(string, ...any)  {}
func (a *authCounter) Tracef(string, ...any)  {}

// TestDrainRate: a backlog is delivered no faster than DrainRate, and all
// of it. Only the lower bound is checked: a slow machine can only be
// slower.
func TestDrainRate(t *testing.T) {
	ns := NewTestServer(t, -1, nil)
	st := createStream(t, ns)
	ob := openOutbox(t)
	commitAlerts(t, ob, "a", 300) // the backlog of an outage
	start := time.Now()
	startUplink(t, uplink.Options{URL: ns.ClientURL(), Token: token, Outbox: ob, DrainRate: 200})
	testkit.WaitFor(t, 10*time.Second, "the backlog delivered", func() bool { return ob.Depth() == 0 })
	// 300 entries at 200/s after a first batch of 4: at least 1.48 s.
	if took := time.Since(start); took < 1400*time.Millisecond {
		t.Errorf("300 entries delivered in %v at drain rate 200/s, want at least 1.48s", took)
	}
	if n := streamMsgs(t, st); n != 300 {
		t.Errorf("stream holds %d messages, want 300", n)
	}
}

// TestServerWithoutBatches: a JetStream from before atomic batches
// (nats-server 2.11) ignores their headers, stores every message and
// acknowledges the commit as one message. The uplink cannot tell whether
// the others were stored, so it publishes the batch again one by one (the
// ids make the repeats harmless) and stops batching on that connection.
// A subscriber plays that JetStream here: no server of that age is at hand.
// Once the server is upgraded (a new connection), batching resumes.
func TestServerWithoutBatches(t *testing.T) {
	port := testkit.FreePort(t)
	ns := NewTestServer(t, port, func(o *server.Options) { o.JetStream = false })
	nc, err := nats.Connect(ns.ClientURL(), nats.Token(token))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	var mu sync.Mutex
	var stored []*nats.Msg
	_, err = nc.Subscribe(protocol.AlertSubject(agentID), func(m *nats.Msg) {
		mu.Lock()
		stored = append(stored, m)
		seq := len(stored)
		mu.Unlock()
		if m.Reply != "" {
			_ = m.Respond(fmt.Appendf(nil, `{"stream":%q,"seq":%d}`, protocol.StreamName, seq))
		}
	})
	if err == nil {
		err = nc.Flush()
	}
	if err != nil {
		t.Fatal(err)
	}
	ob := openOutbox(t)
	sent := commitAlerts(t, ob, "a", 10)
	var logs testkit.LockedBuffer
	startUplink(t, uplink.Options{URL: ns.ClientURL(), Token: token, Outbox: ob, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	testkit.WaitFor(t, 5*time.Second, "the outbox to drain", func() bool { return ob.Depth() == 0 })

	mu.Lock()
	ids := map[string]int{}
	batched := 0
	for _, m := range stored {
		ids[m.Header.Get(jetstream.MsgIDHeader)]++
		if m.Header.Get("Nats-Batch-Id") != "" {
			batched++
		}
	}
	for _, e := range sent {
		if ids[e.ID] == 0 {
			t.Errorf("entry %s never reached the server", e.ID)
		}
	}
	// The first batch of 4 (startUplink's BatchSize), then 4 + 6 one by one.
	if batched != 4 || len(stored) != 14 {
		t.Errorf("the server got %d messages, %d of them in batches; want 14, 4", len(stored), batched)
	}
	mu.Unlock()
	if !strings.Contains(logs.String(), "does not take atomic batches") {
		t.Errorf("the fallback was not logged; logs:\n%s", logs.String())
	}

	ns.Shutdown()
	ns.WaitForShutdown()
	st := createStream(t, NewTestServer(t, port, nil))
	commitAlerts(t, ob, "b", 8)
	testkit.WaitFor(t, 10*time.Second, "the outbox to drain after the upgrade", func() bool { return ob.Depth() == 0 })
	for seq := uint64(1); seq <= 8; seq++ {
		m, err := st.GetMsg(t.Context(), seq)
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Get("Nats-Batch-Id") == "" {
			t.Errorf("msg %d after the upgrade was not in an atomic batch", seq)
		}
	}
}
