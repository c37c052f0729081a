package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pynomaly/pynomaly/internal/lograte"
	"github.com/pynomaly/pynomaly/protocol"
)

// ConsumerName is the durable consumer every replica shares.
const ConsumerName = "pynomaly-controlplane"

// Store is what ingest needs from the control plane's store.
type Store interface {
	Ping(ctx context.Context) error
	InsertAlerts(ctx context.Context, alerts []protocol.Alert, receivedAt time.Time) (int, error)
	// UpsertHeartbeat reports whether the heartbeat added the agent.
	UpsertHeartbeat(ctx context.Context, hb protocol.Heartbeat, receivedAt time.Time) (created bool, err error)
}

// Options configures an Ingester.
type Options struct {
	Conn  *nats.Conn
	Store Store
	// BatchSize is the most alerts fetched and stored in one transaction;
	// 0 means 1024. SQLite's cost per alert falls with the transaction's
	// size (each commit writes every page it touched and fsyncs), so a
	// backlog drains faster in large ones (bench/drain).
	BatchSize int
	// StreamMaxAge bounds how long events stay in the stream; 0 means 7 days.
	StreamMaxAge time.Duration
	// DuplicateWindow is how long JetStream remembers message ids; 0 means 10 minutes.
	DuplicateWindow time.Duration
	// NewAgent, when set, is told of an agent the store did not have
	// before its heartbeat: one that reports in with the shared token and
	// never enrolled, or came back after it was unenrolled (an enrollment
	// adds the agent itself). Policies render it, as they render an agent
	// when it enrolls.
	NewAgent   func(ctx context.Context, agentID string)
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Ingester runs the alert consumer and the heartbeat subscription.
type Ingester struct {
	opts    Options
	js      jetstream.JetStream
	logger  *slog.Logger
	limiter *lograte.Limiter
	metrics *metrics
	ready   atomic.Bool
	// Only Run's goroutine uses these (see rewind.go).
	rewindState
}

// New validates opts and returns an Ingester; Run starts it.
func New(opts Options) (*Ingester, error) {
	if opts.Conn == nil || opts.Store == nil {
		return nil, errors.New("ingest: a NATS connection and a store are required")
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1024
	}
	if opts.StreamMaxAge <= 0 {
		opts.StreamMaxAge = 7 * 24 * time.Hour
	}
	if opts.DuplicateWindow <= 0 {
		opts.DuplicateWindow = 10 * time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	js, err := jetstream.New(opts.Conn)
	if err != nil {
		return nil, fmt.Errorf("ingest: jetstream: %w", err)
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	return &Ingester{
		opts:    opts,
		js:      js,
		logger:  opts.Logger.With("component", "ingest"),
		limiter: lograte.New(10 * time.Second),
		metrics: m,
	}, nil
}

// Ready reports whether the stream, the consumer and the heartbeat
// subscription are in place.
func (in *Ingester) Ready() bool { return in.ready.Load() }

// Run creates the stream and consumer if needed and ingests until ctx ends.
func (in *Ingester) Run(ctx context.Context) error {
	cons, err := in.setup(ctx)
	if err != nil {
		return err
	}
	sub, err := in.opts.Conn.QueueSubscribe(protocol.HeartbeatSubjects(), protocol.ControlPlaneQueue, in.handleHeartbeat)
	if err != nil {
		return fmt.Errorf("ingest: subscribe heartbeats: %w", err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	// Flush: the server has the subscription before we call ourselves ready.
	if err := in.opts.Conn.FlushTimeout(5 * time.Second); err != nil {
		return fmt.Errorf("ingest: subscribe heartbeats: %w", err)
	}
	// A previous run may have left deliveries unacknowledged, which NATS
	// would otherwise hand out again only after AckWait, behind newer ones.
	in.rewindState = rewindState{reconnects: in.opts.Conn.Stats().Reconnects, mustRewind: true}
	in.ready.Store(true)
	defer in.ready.Store(false)
	in.logger.Info("consuming agent events", "stream", protocol.StreamName, "consumer", ConsumerName)
	in.consume(ctx, cons)
	return nil
}

// consume fetches, decodes and stores batches until ctx ends. It is a
// pipeline of two: while one batch is stored (inserted, committed, then
// acknowledged) on a goroutine of its own, the next is fetched and
// decoded. Batches are stored one at a time in the order they were
// fetched, so order per series is still commit order. When a store fails,
// its batch was Nak'ed, and the batch fetched meanwhile is Nak'ed after
// it: JetStream hands Nak'ed messages out again first, in that order.
// consume returns when no store is in flight any more.
func (in *Ingester) consume(ctx context.Context, cons jetstream.Consumer) {
	var storing <-chan error // the previous batch's store, if in flight
	for ctx.Err() == nil {
		b, err := in.fetchBatch(ctx, cons)
		if storing != nil {
			if serr := <-storing; serr != nil {
				b.nak()
				b, err = batch{}, errors.Join(serr, err)
			}
			storing = nil
		}
		if len(b.alerts) > 0 {
			storing = in.storeAsync(ctx, b)
		}
		if err == nil || ctx.Err() != nil {
			continue
		}
		in.warn("fetch", "ingest paused after an error; retrying", err)
		sleepCtx(ctx, time.Second)
		if errors.Is(err, errConsumerGone) {
			cons = in.recreate(ctx, cons)
		}
	}
	if storing != nil {
		<-storing
	}
}

// storeAsync stores b on a new goroutine; the channel gets store's result.
func (in *Ingester) storeAsync(ctx context.Context, b batch) <-chan error {
	done := make(chan error, 1)
	go func() { done <- in.store(ctx, b) }()
	return done
}

// recreate sets the stream and consumer up again after they vanished under
// a live connection: an external NATS came back without its files, or
// someone deleted them. Agents' publishes fail until the stream is back,
// so they keep their alerts and nothing is lost. It returns the new
// consumer, or old if setting up failed (the next fetch fails and retries).
func (in *Ingester) recreate(ctx context.Context, old jetstream.Consumer) jetstream.Consumer {
	in.ready.Store(false)
	cons, err := in.setup(ctx)
	if err != nil {
		in.warn("setup", "cannot recreate the stream and consumer; retrying", err)
		return old
	}
	in.ready.Store(true)
	in.logger.Warn("recreated the stream and consumer, which had gone", "stream", protocol.StreamName, "consumer", ConsumerName)
	return cons
}

func (in *Ingester) setup(ctx context.Context) (jetstream.Consumer, error) {
	stream, err := in.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:       protocol.StreamName,
		Subjects:   protocol.EventsSubjects(),
		Storage:    jetstream.FileStorage,
		Retention:  jetstream.LimitsPolicy,
		MaxAge:     in.opts.StreamMaxAge,
		Duplicates: in.opts.DuplicateWindow,
		// Agents publish their backlogs in atomic batches, which the
		// server fsyncs once per batch instead of once per message.
		AllowAtomicPublish: true,
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: create stream %s: %w", protocol.StreamName, err)
	}
	cons, err := stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       ConsumerName,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxAckPending: 4 * in.opts.BatchSize,
		FilterSubject: protocol.EventsSubjectPrefix + ".*.alert",
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: create consumer %s: %w", ConsumerName, err)
	}
	return cons, nil
}

func (in *Ingester) warn(key, msg string, err error) {
	if ok, n := in.limiter.Allow(key); ok {
		in.logger.Warn(msg, "err", err, "suppressed", n)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
