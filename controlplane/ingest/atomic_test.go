package ingest_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

// TestAtomicBatchesStored: the stream the ingester sets up takes the
// atomic batches agents publish their backlogs in (one fsync per batch
// rather than per message), also when an earlier control plane created it
// without, and every alert of a batch is stored.
func TestAtomicBatchesStored(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	_, err := e.js.CreateStream(t.Context(), jetstream.StreamConfig{
		Name: protocol.StreamName, Subjects: protocol.EventsSubjects(), Storage: jetstream.FileStorage,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, reg, _ := e.runIngester(t, e.store)
	var want []string
	for i := range 5 {
		a := newAlert("agent-1", i)
		want = append(want, a.ID)
		m := nats.NewMsg(protocol.AlertSubject("agent-1"))
		m.Data = testkit.MustJSON(t, a)
		m.Header.Set(jetstream.MsgIDHeader, a.ID)
		m.Header.Set("Nats-Batch-Id", "batch-1")
		m.Header.Set("Nats-Batch-Sequence", strconv.Itoa(i+1))
		if i < 4 {
			if err := e.agent.PublishMsg(m); err != nil {
				t.Fatal(err)
			}
			continue
		}
		m.Header.Set("Nats-Batch-Commit", "1")
		resp, err := e.agent.RequestMsg(m, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var ack struct {
			Error *jetstream.APIError `json:"error"`
			Count int                 `json:"count"`
		}
		if err := json.Unmarshal(resp.Data, &ack); err != nil || ack.Error != nil || ack.Count != 5 {
			t.Fatalf("commit answered %s (%v), want a batch of 5 acknowledged", resp.Data, err)
		}
	}
	waitProcessed(t, reg, 5)
	if got := e.alertIDs(t); !slices.Equal(got, want) {
		t.Fatalf("stored %v, want %v", got, want)
	}
}
