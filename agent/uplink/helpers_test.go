package uplink_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/agent/uplink"
	"github.com/pynomaly/pynomaly/protocol"
)

const (
	token   = "tok"
	agentID = "edge-1"
)

// NewTestServer starts an embedded JetStream server on 127.0.0.1 with token
// auth, on port (-1: any free port), and shuts it down at the end of the test.
func NewTestServer(t testing.TB, port int, mod func(*server.Options)) *server.Server {
	t.Helper()
	opts := &server.Options{Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: t.TempDir(),
		Authorization: token, NoSigs: true, NoLog: true}
	if mod != nil {
		mod(opts)
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	t.Cleanup(ns.Shutdown)
	if !ns.ReadyForConnections(5 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	return ns
}

// createStream creates the events stream as the control plane does and
// returns it.
func createStream(t testing.TB, ns *server.Server) jetstream.Stream {
	t.Helper()
	return createStreamAtomic(t, ns, true)
}

// createStreamAtomic creates the events stream, allowing atomic batches or
// not (as a control plane from before they were used).
func createStreamAtomic(t testing.TB, ns *server.Server, atomic bool) jetstream.Stream {
	t.Helper()
	nc, err := nats.Connect(ns.ClientURL(), nats.Token(token))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.CreateOrUpdateStream(t.Context(), jetstream.StreamConfig{
		Name: protocol.StreamName, Subjects: protocol.EventsSubjects(),
		Storage: jetstream.FileStorage, Duplicates: 10 * time.Minute, AllowAtomicPublish: atomic,
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func streamMsgs(t testing.TB, st jetstream.Stream) uint64 {
	t.Helper()
	info, err := st.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

func openOutbox(t testing.TB) *outbox.Store {
	t.Helper()
	ob, err := outbox.Open(filepath.Join(t.TempDir(), "agent.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ob.Close() })
	return ob
}

func commitAlerts(t testing.TB, ob *outbox.Store, prefix string, n int) []outbox.Entry {
	t.Helper()
	es := make([]outbox.Entry, n)
	for i := range es {
		es[i] = outbox.Entry{Kind: outbox.KindAlert, ID: fmt.Sprintf("%s-%03d", prefix, i), Payload: []byte(fmt.Sprintf(`{"n":%d}`, i))}
	}
	if err := ob.Commit(outbox.Commit{Entries: es}); err != nil {
		t.Fatal(err)
	}
	return es
}

// running is an uplink's Run in progress.
type running struct {
	done chan struct{}
	err  error
}

// exited reports whether Run has returned.
func (r *running) exited() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// startUplink runs an uplink until the end of the test, then checks that
// Run returned nil promptly.
func startUplink(t testing.TB, opts uplink.Options) *running {
	t.Helper()
	if opts.AgentID == "" {
		opts.AgentID = agentID
	}
	opts.BatchSize, opts.AckTimeout, opts.MaxBackoff = 4, 2*time.Second, 300*time.Millisecond
	u, err := uplink.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.err = u.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
			if r.err != nil {
				t.Errorf("Run = %v, want nil after cancel", r.err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not return within 5s of cancel")
		}
	})
	return r
}

// gauge returns the value of the unlabelled counter or gauge name in reg.
func gauge(t testing.TB, reg prometheus.Gatherer, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name || len(mf.GetMetric()) != 1 {
			continue
		}
		m := mf.GetMetric()[0]
		if c := m.GetCounter(); c != nil {
			return c.GetValue()
		}
		return m.GetGauge().GetValue()
	}
	t.Fatalf("metric %s not found", name)
	return 0
}
