package ingest_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/controlplane/ingest"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

// gatedStore holds its first InsertAlerts until release is closed, then
// lets it succeed or, with down set, fail along with the Ping after it,
// as a disk that filled up during a commit would.
type gatedStore struct {
	ingest.Store
	entered, release chan struct{}
	first            sync.Once
	down             atomic.Bool
}

func (s *gatedStore) InsertAlerts(ctx context.Context, alerts []protocol.Alert, at time.Time) (int, error) {
	gated := false
	s.first.Do(func() {
		gated = true
		close(s.entered)
		<-s.release
	})
	if gated && s.down.Load() {
		return 0, errors.New("disk full")
	}
	return s.Store.InsertAlerts(ctx, alerts, at)
}

func (s *gatedStore) Ping(ctx context.Context) error {
	if s.down.Swap(false) {
		return errors.New("disk full")
	}
	return s.Store.Ping(ctx)
}

// TestNextBatchFetchedWhileStoring: while one batch is being stored, the
// ingester fetches the next (neither acknowledged before its commit), and
// stores it after the first, also when storing the first fails.
func TestNextBatchFetchedWhileStoring(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		down bool
	}{
		{"first store succeeds", false},
		{"first store fails", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			gs := &gatedStore{Store: e.store, entered: make(chan struct{}), release: make(chan struct{})}
			gs.down.Store(tc.down)
			_, reg, _ := e.runIngester(t, gs)
			first, second := newAlert("agent-1", 0), newAlert("agent-1", 1)
			e.publish(t, protocol.AlertSubject("agent-1"), testkit.MustJSON(t, first), first.ID)
			select {
			case <-gs.entered:
			case <-time.After(10 * time.Second):
				t.Fatal("the first alert never reached the store")
			}
			e.publish(t, protocol.AlertSubject("agent-1"), testkit.MustJSON(t, second), second.ID)
			e.waitConsumer(t, "the second alert fetched, neither acknowledged", func(info *jetstream.ConsumerInfo) bool {
				return info.NumPending == 0 && info.NumAckPending == 2
			})
			close(gs.release)
			waitProcessed(t, reg, 2)
			if got, want := e.alertIDs(t), []string{first.ID, second.ID}; !slices.Equal(got, want) {
				t.Fatalf("stored %v, want %v in order", got, want)
			}
		})
	}
}
