package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/protocol"
)

// fetchAndStore handles one batch: decode, insert in one transaction, then
// acknowledge. Undecodable messages are terminated (never redelivered) and
// counted; they must not block the good messages behind them.
func (in *Ingester) fetchAndStore(ctx context.Context, cons jetstream.Consumer) error {
	// A short wait keeps shutdown prompt; the context carries both.
	fctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	batch, err := cons.Fetch(in.opts.BatchSize, jetstream.FetchContext(fctx))
	if err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	var msgs []jetstream.Msg
	var alerts []protocol.Alert
	for msg := range batch.Messages() {
		a, err := protocol.DecodeAlert(msg.Data())
		if err != nil {
			in.metrics.rejected.WithLabelValues(rejectReason(err)).Inc()
			in.warn("bad_alert", "rejected an alert message", fmt.Errorf("subject %s: %w", msg.Subject(), err))
			_ = msg.Term()
			continue
		}
		msgs = append(msgs, msg)
		alerts = append(alerts, a)
	}
	if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) &&
		!errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		in.warn("batch", "fetch ended early", err)
	}
	if len(alerts) == 0 {
		return nil
	}
	inserted, err := in.opts.Store.InsertAlerts(ctx, alerts, time.Now().UTC())
	if err != nil {
		// Not acknowledged: JetStream redelivers after AckWait.
		for _, m := range msgs {
			_ = m.Nak()
		}
		return fmt.Errorf("store %d alerts: %w", len(alerts), err)
	}
	for _, m := range msgs {
		_ = m.Ack()
	}
	in.metrics.alerts.Add(float64(inserted))
	in.metrics.duplicates.Add(float64(len(alerts) - inserted))
	return nil
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
	if err := in.opts.Store.UpsertHeartbeat(ctx, hb, time.Now().UTC()); err != nil {
		in.warn("store_heartbeat", "could not store a heartbeat", err)
		return
	}
	in.metrics.heartbeats.Inc()
}

func rejectReason(err error) string {
	if errors.Is(err, protocol.ErrUnsupportedVersion) {
		return "unsupported_version"
	}
	return "invalid"
}
