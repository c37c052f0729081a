package ingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/protocol"
)

// batch is what one fetch brought that decoded: alerts and their
// messages, in stream order.
type batch struct {
	msgs   []jetstream.Msg
	alerts []protocol.Alert
}

// fetchBatch fetches and decodes the next batch. Undecodable messages are
// terminated (never redelivered) and counted; they must not block the good
// messages behind them.
func (in *Ingester) fetchBatch(ctx context.Context, cons jetstream.Consumer) (batch, error) {
	raw, err := in.fetch(ctx, cons)
	if err != nil {
		return batch{}, err
	}
	if ok, err := in.resync(ctx, raw); !ok {
		return batch{}, err // raw stays unacknowledged: the rewind delivers it again, in order
	}
	b := batch{msgs: make([]jetstream.Msg, 0, len(raw)), alerts: make([]protocol.Alert, 0, len(raw))}
	for _, msg := range raw {
		a, err := decodeAlert(msg)
		if err != nil {
			in.metrics.rejected.WithLabelValues(rejectReason(err)).Inc()
			in.warn("bad_alert", "rejected an alert message", fmt.Errorf("subject %s: %w", msg.Subject(), err))
			_ = msg.Term()
			continue
		}
		b.msgs = append(b.msgs, msg)
		b.alerts = append(b.alerts, a)
	}
	b.sortByStream()
	return b, nil
}

// sortByStream puts b in stream order. A fetch in flight while a store
// fails can bring that store's alerts, Nak'ed and redelivered, after newer
// ones; stored in the order fetched, or Nak'ed again in it (and so
// redelivered in it), they would come after them for good. Without every
// message's metadata, b stays as it is.
func (b *batch) sortByStream() {
	seqs := make([]uint64, len(b.msgs))
	for i, m := range b.msgs {
		md, err := m.Metadata()
		if err != nil {
			return
		}
		seqs[i] = md.Sequence.Stream
	}
	if slices.IsSorted(seqs) {
		return
	}
	idx := make([]int, len(seqs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(x, y int) int { return cmp.Compare(seqs[x], seqs[y]) })
	msgs, alerts := make([]jetstream.Msg, len(idx)), make([]protocol.Alert, len(idx))
	for i, j := range idx {
		msgs[i], alerts[i] = b.msgs[j], b.alerts[j]
	}
	b.msgs, b.alerts = msgs, alerts
}

// store inserts b in one transaction, then acknowledges it. An error means
// b was Nak'ed for redelivery.
func (in *Ingester) store(ctx context.Context, b batch) error {
	inserted, err := in.opts.Store.InsertAlerts(ctx, b.alerts, time.Now().UTC())
	if err != nil {
		return in.storeOneByOne(ctx, b, err)
	}
	for _, m := range b.msgs {
		_ = m.Ack()
	}
	in.metrics.alerts.Add(float64(inserted))
	in.metrics.duplicates.Add(float64(len(b.alerts) - inserted))
	return nil
}

// nak hands b back to JetStream for redelivery.
func (b batch) nak() {
	for _, m := range b.msgs {
		_ = m.Nak()
	}
}

// errSubjectMismatch marks a message whose agent_id is not the agent whose
// subject carried it: per-agent credentials limit the subjects an agent may
// publish on, so trusting the payload would let one agent speak for another.
var errSubjectMismatch = errors.New("agent id does not match subject")

// errConsumerGone marks a fetch that found no consumer to answer it.
var errConsumerGone = errors.New("the durable consumer is gone")

func decodeAlert(msg jetstream.Msg) (protocol.Alert, error) {
	a, err := decodePayload(msg.Data())
	if err == nil && msg.Subject() != protocol.AlertSubject(a.AgentID) {
		err = fmt.Errorf("alert %s from agent %s: %w", a.ID, a.AgentID, errSubjectMismatch)
	}
	return a, err
}

func (in *Ingester) handleHeartbeat(msg *nats.Msg) {
	hb, err := protocol.DecodeHeartbeat(msg.Data)
	if err != nil {
		in.metrics.rejected.WithLabelValues("heartbeat_" + rejectReason(err)).Inc()
		in.warn("bad_heartbeat", "rejected a heartbeat", fmt.Errorf("subject %s: %w", msg.Subject, err))
		return
	}
	if msg.Subject != protocol.HeartbeatSubject(hb.AgentID) {
		in.metrics.rejected.WithLabelValues("heartbeat_subject_mismatch").Inc()
		in.warn("bad_heartbeat", "rejected a heartbeat", fmt.Errorf("agent %s sent on subject %s", hb.AgentID, msg.Subject))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	created, err := in.opts.Store.UpsertHeartbeat(ctx, hb, time.Now().UTC())
	if err != nil {
		in.warn("store_heartbeat", "could not store a heartbeat", err)
		return
	}
	in.metrics.heartbeats.Inc()
	if created && in.opts.NewAgent != nil {
		// Synchronously, with its own deadline: once per agent, and a
		// burst of new agents is rendered in turn rather than all at once.
		nctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		in.opts.NewAgent(nctx, hb.AgentID)
	}
}

func rejectReason(err error) string {
	switch {
	case errors.Is(err, protocol.ErrUnsupportedVersion):
		return "unsupported_version"
	case errors.Is(err, errSubjectMismatch):
		return "subject_mismatch"
	}
	return "invalid"
}

// fetch returns what is waiting, up to a batch, without waiting for a full
// batch: when idle it blocks (at most a second, so shutdown stays prompt)
// for the first message only, then takes whatever else is already there.
// A lone alert is stored at once instead of after a batch timeout.
func (in *Ingester) fetch(ctx context.Context, cons jetstream.Consumer) ([]jetstream.Msg, error) {
	msgs, err := in.collect(cons.FetchNoWait(in.opts.BatchSize))
	if err != nil || len(msgs) > 0 {
		return msgs, err
	}
	fctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	msgs, err = in.collect(cons.Fetch(1, jetstream.FetchContext(fctx)))
	if err != nil || len(msgs) == 0 {
		return msgs, err
	}
	more, err := in.collect(cons.FetchNoWait(in.opts.BatchSize - 1))
	return append(msgs, more...), err
}

func (in *Ingester) collect(batch jetstream.MessageBatch, err error) ([]jetstream.Msg, error) {
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	var msgs []jetstream.Msg
	for m := range batch.Messages() {
		msgs = append(msgs, m)
	}
	switch err := batch.Error(); {
	case err == nil, errors.Is(err, nats.ErrTimeout), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, context.Canceled), errors.Is(err, jetstream.ErrNoMessages):
	case errors.Is(err, nats.ErrNoResponders), errors.Is(err, jetstream.ErrConsumerDeleted):
		// No consumer answers the pull request. Without an error here Run
		// would spin on requests nobody answers instead of recreating it.
		in.mustRewind = true
		return nil, fmt.Errorf("fetch: %w: %w", errConsumerGone, err)
	default:
		// The server ended the request (shutting down, leader moving):
		// what it delivered next may not have reached us.
		in.mustRewind = true
		in.warn("batch", "fetch ended early", err)
	}
	return msgs, nil
}

// storeOneByOne follows a failed batch insert. If the store is down, the
// whole batch is Nak'ed for redelivery. Otherwise one message made the
// batch fail: storing each alone lets the good ones through and terminates
// the one the store refuses, so a single poison message cannot stop ingest.
func (in *Ingester) storeOneByOne(ctx context.Context, b batch, batchErr error) error {
	if err := in.opts.Store.Ping(ctx); err != nil {
		b.nak() // redelivered; Run pauses a second first
		return fmt.Errorf("store %d alerts: %w", len(b.alerts), batchErr)
	}
	now := time.Now().UTC()
	for i, m := range b.msgs {
		n, err := in.opts.Store.InsertAlerts(ctx, b.alerts[i:i+1], now)
		if err != nil {
			in.metrics.rejected.WithLabelValues("store_refused").Inc()
			in.warn("store_refused", "the store refused an alert; dropping it", fmt.Errorf("alert %s: %w", b.alerts[i].ID, err))
			_ = m.Term()
			continue
		}
		_ = m.Ack()
		in.metrics.alerts.Add(float64(n))
		in.metrics.duplicates.Add(float64(1 - n))
	}
	return nil
}
