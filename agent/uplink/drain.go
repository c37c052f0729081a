package uplink

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/protocol"
)

// drain publishes outbox entries until ctx ends, waking on new commits and
// retrying with backoff after failures.
func (u *Uplink) drain(ctx context.Context, nc *nats.Conn, js jetstream.JetStream) {
	failures := 0
	var batches batchState
	for ctx.Err() == nil {
		if !nc.IsConnected() {
			// Publishing now would only fill the client's reconnect buffer
			// and time out; the outbox is the buffer.
			sleep(ctx, 250*time.Millisecond)
			continue
		}
		n, err := u.deliverBatch(ctx, nc, js, &batches)
		switch {
		case err != nil:
			u.metrics.errors.Inc()
			u.warn("publish", "delivery to control plane failed; will retry", err)
			sleep(ctx, u.backoff(failures))
			failures++
		case n > 0:
			failures = 0 // more may be waiting: go again at once
		default:
			failures = 0
			select {
			case <-ctx.Done():
			case <-u.opts.Outbox.Notify():
			case <-time.After(time.Second):
			}
		}
	}
}

// deliverBatch publishes the oldest entries and deletes the acknowledged
// ones. It returns how many were delivered.
func (u *Uplink) deliverBatch(ctx context.Context, nc *nats.Conn, js jetstream.JetStream, batches *batchState) (int, error) {
	entries, err := u.opts.Outbox.Peek(u.opts.BatchSize)
	if err := u.quarantine(err); err != nil {
		return 0, err
	}
	if len(entries) == 0 {
		return 0, nil
	}
	if u.drainRate != nil {
		if err := u.drainRate.WaitN(ctx, len(entries)); err != nil {
			return 0, nil // ctx ended: the loop stops
		}
	}
	acked, pubErr := u.publish(ctx, nc, js, entries, batches)
	var seqs []uint64
	for i, ok := range acked {
		if ok {
			seqs = append(seqs, entries[i].Seq)
		}
	}
	if len(seqs) > 0 {
		if err := u.opts.Outbox.Delete(seqs); err != nil {
			return 0, err
		}
		u.metrics.published.Add(float64(len(seqs)))
	}
	return len(seqs), pubErr
}

// publish publishes entries, as one atomic batch if the server takes it,
// else one by one, and reports which ones JetStream acknowledged.
func (u *Uplink) publish(ctx context.Context, nc *nats.Conn, js jetstream.JetStream, entries []outbox.Entry, batches *batchState) ([]bool, error) {
	if batches.try(nc, len(entries)) {
		err := u.publishBatch(ctx, nc, entries)
		if err == nil {
			acked := make([]bool, len(entries))
			for i := range acked {
				acked[i] = true
			}
			return acked, nil
		}
		if !errors.Is(err, errBatchRefused) {
			return make([]bool, len(entries)), err
		}
		if batches.refused(nc, err) {
			u.logger.Info("the control plane does not take atomic batches; publishing one message at a time, which is slower", "err", err)
		}
	}
	return u.publishEach(ctx, js, entries)
}

// publishEach publishes every entry as its own message, all in flight at
// once, and waits for their acknowledgements.
func (u *Uplink) publishEach(ctx context.Context, js jetstream.JetStream, entries []outbox.Entry) ([]bool, error) {
	futures := make([]jetstream.PubAckFuture, 0, len(entries))
	var pubErr error
	for _, e := range entries {
		msg := &nats.Msg{Subject: u.subject(e), Data: e.Payload}
		f, err := js.PublishMsgAsync(msg, jetstream.WithMsgID(e.ID))
		if err != nil {
			pubErr = fmt.Errorf("publish %s: %w", e.ID, err)
			break
		}
		futures = append(futures, f)
	}
	acked, firstErr := u.awaitAcks(ctx, futures)
	if firstErr == nil {
		firstErr = pubErr
	}
	return append(acked, make([]bool, len(entries)-len(acked))...), firstErr
}

func (u *Uplink) awaitAcks(ctx context.Context, futures []jetstream.PubAckFuture) ([]bool, error) {
	acked := make([]bool, len(futures))
	timeout := time.NewTimer(u.opts.AckTimeout)
	defer timeout.Stop()
	var firstErr error
	for i, f := range futures {
		select {
		case <-f.Ok():
			acked[i] = true
		case err := <-f.Err():
			if firstErr == nil {
				firstErr = err
			}
		case <-timeout.C:
			return acked, fmt.Errorf("no acknowledgement within %s", u.opts.AckTimeout)
		case <-ctx.Done():
			return acked, ctx.Err()
		}
	}
	return acked, firstErr
}

func (u *Uplink) subject(e outbox.Entry) string {
	return protocol.AlertSubject(u.opts.AgentID)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// quarantine moves a corrupt entry that Peek stopped at out of the way, so
// one unreadable entry cannot hold back delivery of every later one. It
// returns other errors unchanged.
func (u *Uplink) quarantine(err error) error {
	var ce *outbox.CorruptEntryError
	if !errors.As(err, &ce) {
		return err
	}
	if qerr := u.opts.Outbox.Quarantine(ce.Seq); qerr != nil {
		return qerr
	}
	u.metrics.quarantined.Inc()
	u.logger.Error("moved a corrupt outbox entry to quarantine; it will not be delivered", "seq", ce.Seq)
	return nil
}
