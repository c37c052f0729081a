package ingest_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/controlplane/ingest"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

func TestNewRequiresConnAndStore(t *testing.T) {
	t.Parallel()
	if _, err := ingest.New(ingest.Options{}); err == nil {
		t.Fatal("New without a connection and store succeeded")
	}
}

func TestAlertsStoredExactlyOnce(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	in, reg, stop := e.runIngester(t, e.store)
	var want []string
	for i := range 5 {
		a := newAlert("agent-1", i)
		want = append(want, a.ID)
		e.publish(t, protocol.AlertSubject("agent-1"), testkit.MustJSON(t, a), a.ID)
	}
	waitProcessed(t, reg, 5)
	if got := e.alertIDs(t); !slices.Equal(got, want) {
		t.Fatalf("stored %v, want %v", got, want)
	}
	// The same message id again is de-duplicated by JetStream itself.
	if ack := e.publish(t, protocol.AlertSubject("agent-1"), testkit.MustJSON(t, newAlert("agent-1", 0)), want[0]); !ack.Duplicate {
		t.Error("JetStream accepted a repeated Nats-Msg-Id")
	}
	// A replay under new message ids reaches the store, which must skip it.
	for i := range 5 {
		e.publish(t, protocol.AlertSubject("agent-1"), testkit.MustJSON(t, newAlert("agent-1", i)), "replay-"+want[i])
	}
	waitProcessed(t, reg, 10)
	if got := e.alertIDs(t); !slices.Equal(got, want) {
		t.Fatalf("after replay stored %v, want %v", got, want)
	}
	if got := metric(t, reg, "pynomaly_alerts_ingested_total", nil); got != 5 {
		t.Errorf("pynomaly_alerts_ingested_total = %v, want 5", got)
	}
	if got := metric(t, reg, "pynomaly_alerts_duplicate_total", nil); got != 5 {
		t.Errorf("pynomaly_alerts_duplicate_total = %v, want 5", got)
	}
	stop()
	if in.Ready() {
		t.Error("Ready() = true after Run returned")
	}
}

func TestBadAlertsRejectedByReason(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	_, reg, _ := e.runIngester(t, e.store)
	newer := newAlert("agent-1", 100)
	newer.Version = 99
	noID := newAlert("agent-1", 101)
	noID.ID = ""
	tests := []struct {
		name, reason string
		subject      string
		data         []byte
	}{
		{"invalid JSON", "invalid", protocol.AlertSubject("agent-1"), []byte(`{"v":1,"id":`)},
		{"newer version", "unsupported_version", protocol.AlertSubject("agent-1"), testkit.MustJSON(t, newer)},
		{"missing id", "invalid", protocol.AlertSubject("agent-1"), testkit.MustJSON(t, noID)},
		{"another agent's alert", "subject_mismatch", protocol.AlertSubject("agent-1"), testkit.MustJSON(t, newAlert("agent-2", 102))},
	}
	var want []string
	for i, tc := range tests {
		good := newAlert("agent-1", i)
		want = append(want, good.ID)
		e.publish(t, protocol.AlertSubject("agent-1"), testkit.MustJSON(t, good), good.ID)
		e.publish(t, tc.subject, tc.data, tc.name)
	}
	last := newAlert("agent-1", len(tests))
	want = append(want, last.ID)
	e.publish(t, protocol.AlertSubject("agent-1"), testkit.MustJSON(t, last), last.ID)
	waitProcessed(t, reg, float64(2*len(tests)+1))

	if got := e.alertIDs(t); !slices.Equal(got, want) {
		t.Errorf("stored %v, want only the good alerts %v", got, want)
	}
	wantReasons := map[string]float64{}
	for _, tc := range tests {
		wantReasons[tc.reason]++
	}
	for reason, n := range wantReasons {
		t.Run(reason, func(t *testing.T) {
			if got := metric(t, reg, "pynomaly_ingest_rejected_total", map[string]string{"reason": reason}); got != n {
				t.Errorf("pynomaly_ingest_rejected_total{reason=%q} = %v, want %v", reason, got, n)
			}
		})
	}
	// Rejected messages are terminated, not left to be redelivered forever.
	e.waitConsumer(t, "nothing pending", func(info *jetstream.ConsumerInfo) bool {
		return info.NumAckPending == 0 && info.NumPending == 0
	})
}

// failingStore is down for its first InsertAlerts (and the Ping that
// follows), as a locked or full disk would be.
type failingStore struct {
	ingest.Store
	fails atomic.Int32
}

func (s *failingStore) InsertAlerts(ctx context.Context, alerts []protocol.Alert, at time.Time) (int, error) {
	if s.fails.Add(-1) >= 0 {
		return 0, errors.New("disk I/O error")
	}
	return s.Store.InsertAlerts(ctx, alerts, at)
}

func (s *failingStore) Ping(ctx context.Context) error {
	if s.fails.Load() >= 0 {
		return errors.New("disk I/O error")
	}
	return s.Store.Ping(ctx)
}

// refusingStore is up but refuses one alert id, as it would an alert its
// encoder or constraints cannot take.
type refusingStore struct {
	ingest.Store
	poison string
}

func (s refusingStore) InsertAlerts(ctx context.Context, alerts []protocol.Alert, at time.Time) (int, error) {
	for _, a := range alerts {
		if a.ID == s.poison {
			return 0, errors.New("cannot encode alert")
		}
	}
	return s.Store.InsertAlerts(ctx, alerts, at)
}

func TestPoisonAlertDoesNotBlockOthers(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	var want []string
	var batch []protocol.Alert
	for i := range 5 {
		a := newAlert("agent-1", i)
		batch = append(batch, a)
		if i != 2 {
			want = append(want, a.ID)
		}
	}
	_, reg, _ := e.runIngester(t, refusingStore{Store: e.store, poison: batch[2].ID})
	for _, a := range batch {
		e.publish(t, protocol.AlertSubject("agent-1"), testkit.MustJSON(t, a), a.ID)
	}
	waitProcessed(t, reg, 5)
	slices.Sort(want)
	got := e.alertIDs(t)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("stored %v, want every alert but the refused one: %v", got, want)
	}
	if n := metric(t, reg, "pynomaly_ingest_rejected_total", map[string]string{"reason": "store_refused"}); n != 1 {
		t.Errorf("store_refused count %v, want 1", n)
	}
}

func TestStoreFailureRedelivers(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	fs := &failingStore{Store: e.store}
	fs.fails.Store(1)
	_, reg, _ := e.runIngester(t, fs)
	a := newAlert("agent-1", 0)
	e.publish(t, protocol.AlertSubject("agent-1"), testkit.MustJSON(t, a), a.ID)
	waitProcessed(t, reg, 1)
	if got := e.alertIDs(t); !slices.Equal(got, []string{a.ID}) {
		t.Fatalf("stored %v after a failed first attempt, want [%s]", got, a.ID)
	}
	if fs.fails.Load() >= 0 {
		t.Fatal("the store was never asked to fail; the test proves nothing")
	}
}

func TestRestartResumesDurableConsumer(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	_, reg1, stop1 := e.runIngester(t, e.store)
	var want []string
	publish := func(from, to int) {
		for i := from; i < to; i++ {
			a := newAlert("agent-1", i)
			want = append(want, a.ID)
			e.publish(t, protocol.AlertSubject("agent-1"), testkit.MustJSON(t, a), a.ID)
		}
	}
	publish(0, 3)
	waitProcessed(t, reg1, 3)
	stop1()
	publish(3, 6) // while no control plane runs
	_, reg2, _ := e.runIngester(t, e.store)
	waitProcessed(t, reg2, 3)
	if got := e.alertIDs(t); !slices.Equal(got, want) {
		t.Fatalf("stored %v, want %v", got, want)
	}
	if got := metric(t, reg2, "pynomaly_alerts_duplicate_total", nil); got != 0 {
		t.Errorf("restarted ingester saw %v redelivered alerts, want 0", got)
	}
	cons, err := e.js.Consumer(t.Context(), protocol.StreamName, ingest.ConsumerName)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := cons.Info(t.Context()); err != nil || info.Config.AckPolicy != jetstream.AckExplicitPolicy {
		t.Errorf("consumer %s: %+v, %v; want a durable explicit-ack consumer", ingest.ConsumerName, info, err)
	}
}

// TestStreamRecreatedWhenGone: a stream deleted under a running ingester
// (as when an external NATS comes back without its files) is created again
// and ingest carries on.
func TestStreamRecreatedWhenGone(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	in, reg, _ := e.runIngester(t, e.store)
	first, second := newAlert("agent-1", 0), newAlert("agent-1", 1)
	e.publish(t, protocol.AlertSubject("agent-1"), testkit.MustJSON(t, first), first.ID)
	waitProcessed(t, reg, 1)
	if err := e.js.DeleteStream(t.Context(), protocol.StreamName); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, 10*time.Second, "the stream recreated", func() bool {
		_, err := e.js.Stream(t.Context(), protocol.StreamName)
		return err == nil && in.Ready()
	})
	e.publish(t, protocol.AlertSubject("agent-1"), testkit.MustJSON(t, second), second.ID)
	waitProcessed(t, reg, 2)
	if got := e.alertIDs(t); !slices.Equal(got, []string{first.ID, second.ID}) {
		t.Fatalf("stored %v, want both alerts", got)
	}
}
