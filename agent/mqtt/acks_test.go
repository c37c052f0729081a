package mqtt

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// TestAckQueueOrder: PUBACKs leave in arrival order, each once, whatever
// order the messages are acknowledged in; nothing leaves while the oldest
// is unacknowledged.
func TestAckQueueOrder(t *testing.T) {
	q := newAckQueue()
	seqs := []uint64{q.add(10), q.add(11), q.add(12)}
	for _, i := range []int{2, 1} {
		if !q.ack(seqs[i]) {
			t.Fatalf("ack %d refused", i)
		}
	}
	if got := q.flush(nil); len(got) != 0 {
		t.Fatalf("flushed %x with the oldest unacknowledged", got)
	}
	q.ack(seqs[0])
	q.ack(seqs[0]) // twice: harmless
	want := []byte{0x40, 2, 0, 10, 0x40, 2, 0, 11, 0x40, 2, 0, 12}
	if got := q.flush(nil); !bytes.Equal(got, want) {
		t.Fatalf("flushed %x, want %x", got, want)
	}
	q.ack(seqs[1]) // after its flush: nothing more
	s := q.add(300)
	q.ack(s)
	if got := q.flush(nil); !bytes.Equal(got, []byte{0x40, 2, 1, 44}) {
		t.Fatalf("flushed %x, want the one new PUBACK", got)
	}
	if len(q.pending) != 0 || cap(q.pending) > 4 {
		t.Fatalf("pending %d, cap %d after every flush", len(q.pending), cap(q.pending))
	}
}

// TestAckQueueRun: the writer sends what is acknowledged, and once its
// connection is gone (closed, or a write failed) acks are refused, so the
// caller can count them as stale.
func TestAckQueueRun(t *testing.T) {
	for _, tc := range []struct {
		name     string
		writeErr error
	}{{"closed", nil}, {"write fails", errors.New("broken pipe")}} {
		t.Run(tc.name, func(t *testing.T) {
			q := newAckQueue()
			closed := make(chan struct{})
			wrote := make(chan []byte, 1)
			done := make(chan struct{})
			go func() {
				q.run(func(b []byte) error { wrote <- bytes.Clone(b); return tc.writeErr }, closed)
				close(done)
			}()
			q.ack(q.add(1))
			select {
			case b := <-wrote:
				if !bytes.Equal(b, []byte{0x40, 2, 0, 1}) {
					t.Fatalf("wrote %x", b)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("nothing written")
			}
			if tc.writeErr == nil {
				close(closed)
			}
			<-done
			if q.ack(q.add(2)) {
				t.Fatal("ack accepted after the connection went")
			}
		})
	}
}
