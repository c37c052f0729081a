package ingest_test

import (
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/controlplane/ingest"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

// steal takes the next alert off the durable consumer and never
// acknowledges it: a delivery lost on its way to the control plane.
func steal(t *testing.T, js jetstream.JetStream) {
	t.Helper()
	cons, err := js.Consumer(t.Context(), protocol.StreamName, ingest.ConsumerName)
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range batch.Messages() {
		n++
	}
	if n != 1 {
		t.Fatalf("stole %d alerts, want 1 (%v)", n, batch.Error())
	}
}

// TestLostDeliveryStoredInOrderAfterRestart: an alert delivered but never
// acknowledged before the ingester started is stored before the newer
// ones, not after them once AckWait has passed.
func TestLostDeliveryStoredInOrderAfterRestart(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	_, _, stop := e.runIngester(t, e.store) // creates the stream and consumer
	stop()
	var want []string
	for i := range 3 {
		a := newAlert("agent-1", i)
		want = append(want, a.ID)
		e.publish(t, protocol.AlertSubject("agent-1"), testkit.MustJSON(t, a), a.ID)
		if i == 0 {
			steal(t, e.js)
		}
	}
	_, reg, _ := e.runIngester(t, e.store)
	waitProcessed(t, reg, 3)
	if got := e.alertIDs(t); !slices.Equal(got, want) {
		t.Fatalf("stored %v, want %v in order", got, want)
	}
}

// TestLostDeliveryStoredInOrderAfterReconnect: NATS restarts under a
// running ingester and, before the ingester is back, an alert is delivered
// and lost; once reconnected the ingester stores it before the next one.
func TestLostDeliveryStoredInOrderAfterReconnect(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t) // for its store
	ext := testkit.StartNATSServer(t, "tok", nil)
	gate := make(chan struct{}) // holds the ingester's reconnection back
	nc, err := nats.Connect(ext.URL(), nats.Token("tok"), nats.MaxReconnects(-1),
		nats.CustomReconnectDelay(func(int) time.Duration { <-gate; return 0 }))
	if err != nil {
		t.Fatal(err)
	}
	_, reg, _ := runIngesterOn(t, nc, e.store)
	publish := func(js jetstream.JetStream, i int) string {
		a := newAlert("agent-1", i)
		if _, err := js.Publish(t.Context(), protocol.AlertSubject("agent-1"), testkit.MustJSON(t, a), jetstream.WithMsgID(a.ID)); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	want := []string{publish(ext.JetStream(), 0)}
	waitProcessed(t, reg, 1)
	ext.Stop()
	testkit.WaitFor(t, 10*time.Second, "the ingester disconnected", func() bool { return !nc.IsConnected() })
	ext.Start()
	js := ext.JetStream()
	want = append(want, publish(js, 1))
	steal(t, js)
	want = append(want, publish(js, 2))
	close(gate)
	waitProcessed(t, reg, 3)
	if got := e.alertIDs(t); !slices.Equal(got, want) {
		t.Fatalf("stored %v, want %v in order", got, want)
	}
}
