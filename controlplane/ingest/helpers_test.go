package ingest_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pynomaly/pynomaly/controlplane/broker"
	"github.com/pynomaly/pynomaly/controlplane/ingest"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

// testEnv is a real broker and a real SQLite store, plus an agent-side
// connection to publish with.
type testEnv struct {
	broker *broker.Broker
	store  *store.Store
	agent  *nats.Conn
	js     jetstream.JetStream
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	b, err := broker.Start(broker.Options{Host: "127.0.0.1", StoreDir: t.TempDir(), Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Shutdown)
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "cp.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	nc, err := nats.Connect(b.ClientURL(), nats.Token("tok"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{broker: b, store: st, agent: nc, js: js}
}

// runIngester starts an Ingester on its own connection and registry, waits
// until it is ready, and returns a stop function that checks Run's result.
func (e *testEnv) runIngester(t *testing.T, st ingest.Store) (*ingest.Ingester, *prometheus.Registry, func()) {
	t.Helper()
	nc, err := e.broker.Connect("ingest-test")
	if err != nil {
		t.Fatal(err)
	}
	return runIngesterOn(t, nc, st)
}

// runIngesterOn is runIngester over nc, which stopping closes.
func runIngesterOn(t *testing.T, nc *nats.Conn, st ingest.Store) (*ingest.Ingester, *prometheus.Registry, func()) {
	t.Helper()
	return runIngesterWith(t, ingest.Options{Conn: nc, Store: st})
}

// runIngesterWith is runIngesterOn with opts (Registerer is its own).
func runIngesterWith(t *testing.T, opts ingest.Options) (*ingest.Ingester, *prometheus.Registry, func()) {
	t.Helper()
	nc := opts.Conn
	reg := prometheus.NewRegistry()
	opts.Registerer = reg
	in, err := ingest.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	testkit.WaitFor(t, 10*time.Second, "ingester ready", in.Ready)
	stop := sync.OnceFunc(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return after cancel")
		}
		nc.Close()
	})
	t.Cleanup(stop)
	return in, reg, stop
}

func (e *testEnv) publish(t *testing.T, subject string, data []byte, msgID string) *jetstream.PubAck {
	t.Helper()
	ack, err := e.js.Publish(t.Context(), subject, data, jetstream.WithMsgID(msgID))
	if err != nil {
		t.Fatalf("publish %s: %v", msgID, err)
	}
	return ack
}

// waitConsumer waits until the durable consumer's state satisfies ok.
func (e *testEnv) waitConsumer(t *testing.T, what string, ok func(*jetstream.ConsumerInfo) bool) {
	t.Helper()
	cons, err := e.js.Consumer(t.Context(), protocol.StreamName, ingest.ConsumerName)
	if err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, 10*time.Second, what, func() bool {
		info, err := cons.Info(t.Context())
		return err == nil && ok(info)
	})
}

func (e *testEnv) alertIDs(t *testing.T) []string {
	t.Helper()
	page, err := e.store.ListAlerts(t.Context(), store.AlertQuery{Limit: 1000, Order: "asc"})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(page.Alerts))
	for i, a := range page.Alerts {
		ids[i] = a.ID
	}
	return ids
}

func newAlert(agent string, i int) protocol.Alert {
	series := protocol.SeriesName("temp", map[string]string{"site": "a"})
	ts := t0.Add(time.Duration(i) * time.Second)
	return protocol.Alert{
		Version: protocol.AlertVersion, ID: protocol.AlertID(agent, series, "zscore", ts),
		AgentID: agent, Series: series, Metric: "temp", Timestamp: ts,
		Values: map[string]float64{"value": float64(i)}, Score: 0.99, Threshold: 0.9,
		Severity: protocol.SeverityWarning, Detector: "zscore", DetectedAt: ts,
	}
}

// metric sums the samples of the counter name whose labels include match.
func metric(t *testing.T, reg prometheus.Gatherer, name string, match map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if v, ok := match[lp.GetName()]; ok && v != lp.GetValue() {
					continue next
				}
			}
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}

// waitProcessed waits until the ingester has decided the fate of n alert
// messages: stored, skipped as duplicates, or rejected.
func waitProcessed(t *testing.T, reg prometheus.Gatherer, n float64) {
	t.Helper()
	testkit.WaitFor(t, 10*time.Second, "alerts processed", func() bool {
		got := metric(t, reg, "pynomaly_alerts_ingested_total", nil) +
			metric(t, reg, "pynomaly_alerts_duplicate_total", nil)
		for _, r := range []string{"invalid", "unsupported_version", "subject_mismatch", "store_refused"} {
			got += metric(t, reg, "pynomaly_ingest_rejected_total", map[string]string{"reason": r})
		}
		return got >= n
	})
}
