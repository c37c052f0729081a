package uplink

// Atomic batches. The control plane's JetStream runs with SyncAlways (an
// acknowledgement means "on disk"), so it fsyncs after every message it
// stores: one stream takes at most one message per fsync (10,000-13,000/s
// on the development machine, docs/benchmarks.md), however many agents
// publish. An atomic batch (nats-server 2.12 and later, on a stream with
// AllowAtomicPublish) is stored all or nothing and fsynced at its commit,
// so a batch of 256 entries costs a few fsyncs instead of 256: about four
// times the rate (bench/drain).
//
// Every message of a batch keeps its entry id as its message id: the
// server refuses a whole batch that repeats an id it has seen (a replay
// after a crash), and such a batch is then published message by message,
// where JetStream acknowledges the repeats as duplicates. Any other
// refusal (a stream without atomic publish, too many batches in flight
// from a fleet, a batch larger than the server allows) falls back the same
// way, so batching only ever makes delivery faster, never less complete.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/agent/outbox"
)

// The atomic batch headers of nats-server (ADR-50).
const (
	headerBatchID     = "Nats-Batch-Id"
	headerBatchSeq    = "Nats-Batch-Sequence"
	headerBatchCommit = "Nats-Batch-Commit"
)

// errCodeAtomicDisabled is JetStream's answer for a stream that does not
// allow atomic batches (JSAtomicPublishDisabledErr).
const errCodeAtomicDisabled jetstream.ErrorCode = 10174

// batchAck is the server's answer to a batch's commit message: an
// acknowledgement that names the batch and counts its messages, or an
// error.
type batchAck struct {
	Error   *jetstream.APIError `json:"error"`
	BatchID string              `json:"batch"`
	Count   int                 `json:"count"`
}

// errBatchRefused wraps the answers after which the entries are published
// again one by one: nothing of the batch was stored as a batch.
var errBatchRefused = errors.New("batch refused")

// publishBatch publishes entries as one atomic batch and returns nil once
// JetStream has stored every one of them. An error wrapping
// errBatchRefused means the server answered without storing the batch
// (or, if too old to know batches, stored its messages without saying so).
func (u *Uplink) publishBatch(ctx context.Context, nc *nats.Conn, entries []outbox.Entry) error {
	id := strconv.FormatUint(rand.Uint64(), 36) + strconv.FormatUint(rand.Uint64(), 36)
	last := len(entries) - 1
	// Only the commit asks for an answer: the server sends one per message
	// that has a reply subject, and the commit's covers the batch.
	for i, e := range entries[:last] {
		if err := nc.PublishMsg(u.batchMsg(e, id, i+1)); err != nil {
			return fmt.Errorf("publish %s: %w", e.ID, err)
		}
	}
	commit := u.batchMsg(entries[last], id, last+1)
	commit.Header.Set(headerBatchCommit, "1")
	rctx, cancel := context.WithTimeout(ctx, u.opts.AckTimeout)
	defer cancel()
	resp, err := nc.RequestMsgWithContext(rctx, commit)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return fmt.Errorf("no acknowledgement within %s", u.opts.AckTimeout)
	}
	if err != nil {
		return fmt.Errorf("commit a batch of %d: %w", len(entries), err)
	}
	var ack batchAck
	if err := json.Unmarshal(resp.Data, &ack); err != nil {
		return fmt.Errorf("commit a batch of %d: answer %q: %w", len(entries), resp.Data, err)
	}
	switch {
	case ack.Error != nil:
		return fmt.Errorf("%w: %w", errBatchRefused, ack.Error)
	case ack.BatchID != id || ack.Count != len(entries):
		return fmt.Errorf("%w: the server acknowledged one message, not a batch of %d (nats-server before 2.12?)", errBatchRefused, len(entries))
	}
	return nil
}

func (u *Uplink) batchMsg(e outbox.Entry, batchID string, seq int) *nats.Msg {
	m := nats.NewMsg(u.subject(e))
	m.Data = e.Payload
	m.Header.Set(jetstream.MsgIDHeader, e.ID)
	m.Header.Set(headerBatchID, batchID)
	m.Header.Set(headerBatchSeq, strconv.Itoa(seq))
	return m
}

// batchState remembers that the server cannot take atomic batches, until
// the connection is re-established (the control plane may have been
// upgraded meanwhile). Only the drain loop uses it.
type batchState struct {
	off bool
	// at is the connection's reconnect count when off was set.
	at uint64
}

// try reports whether to try an atomic batch of n entries on nc.
func (b *batchState) try(nc *nats.Conn, n int) bool {
	return n > 1 && (!b.off || nc.Stats().Reconnects != b.at)
}

// refused records a refusal that will recur for every batch on this
// connection, and reports whether it was one.
func (b *batchState) refused(nc *nats.Conn, err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode != errCodeAtomicDisabled {
		return false // about this batch only: a repeated id, too many in flight
	}
	b.off, b.at = true, nc.Stats().Reconnects
	return true
}
