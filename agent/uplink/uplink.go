package uplink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/internal/lograte"
	"github.com/pynomaly/pynomaly/protocol"
)

// Options configures the uplink.
type Options struct {
	URL   string
	Token string
	// Secret, when set, is the agent's own NATS password from enrollment:
	// the agent connects as AgentID with it instead of the shared Token,
	// and takes its replies under protocol.AgentInboxPrefix, the only
	// subjects NATS lets it receive on.
	Secret string
	// AgentID names the subjects the uplink publishes on.
	AgentID string
	Outbox  *outbox.Store
	// BatchSize is the most entries in flight at once; 0 means 256.
	BatchSize int
	// AckTimeout bounds the wait for one batch's acknowledgements; 0 means 10s.
	AckTimeout time.Duration
	// MaxBackoff caps the wait between failed attempts; 0 means 30s.
	MaxBackoff time.Duration
	// DrainRate bounds delivery, in entries per second, so that a fleet
	// reconnecting after an outage does not flatten the control plane
	// with its backlogs; 0 means no bound.
	DrainRate float64
	// Attach, if set, runs for as long as Run, with the uplink's JetStream
	// context, so that other parts of the agent (the desired-state watch)
	// share its connection rather than open their own.
	Attach func(ctx context.Context, js jetstream.JetStream)
	// Heartbeat builds the next heartbeat; nil disables heartbeats.
	Heartbeat         func() protocol.Heartbeat
	HeartbeatInterval time.Duration
	Logger            *slog.Logger
	Registerer        prometheus.Registerer
}

// Uplink is the agent's connection to the control plane.
type Uplink struct {
	opts    Options
	logger  *slog.Logger
	limiter *lograte.Limiter
	metrics *metrics
	// drainRate paces delivery (Options.DrainRate); nil when unbounded.
	drainRate *rate.Limiter
	// nc is the connection while Run runs, for Status.
	nc atomic.Pointer[nats.Conn]
}

// Status is the uplink's state for the agent's /health: connected or not,
// and to which server. It says nothing of the agent's own health.
type Status struct {
	Connected bool   `json:"connected"`
	URL       string `json:"url,omitempty"`
	// Reconnects counts reconnections since the agent started.
	Reconnects uint64 `json:"reconnects"`
}

// Status reports the connection's state now.
func (u *Uplink) Status() Status {
	nc := u.nc.Load()
	if nc == nil {
		return Status{}
	}
	return Status{Connected: nc.IsConnected(), URL: nc.ConnectedUrlRedacted(), Reconnects: nc.Stats().Reconnects}
}

// New validates opts; Run connects and delivers.
func New(opts Options) (*Uplink, error) {
	if opts.URL == "" || opts.Outbox == nil {
		return nil, errors.New("uplink: a NATS URL and an outbox are required")
	}
	if err := protocol.ValidateAgentID(opts.AgentID); err != nil {
		return nil, fmt.Errorf("uplink: %w", err)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 256
	}
	if opts.AckTimeout <= 0 {
		opts.AckTimeout = 10 * time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Second
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	m, err := newMetrics(opts.Registerer, opts.Outbox)
	if err != nil {
		return nil, err
	}
	u := &Uplink{opts: opts, logger: opts.Logger.With("component", "uplink"), limiter: lograte.New(30 * time.Second), metrics: m}
	if opts.DrainRate > 0 {
		// A burst of one batch: a batch waits for its whole share at once.
		u.drainRate = rate.NewLimiter(rate.Limit(opts.DrainRate), opts.BatchSize)
	}
	return u, nil
}

// Run connects (retrying in the background if the control plane is down)
// and delivers until ctx ends.
func (u *Uplink) Run(ctx context.Context) error {
	nc, err := nats.Connect(u.opts.URL, u.natsOptions()...)
	if err != nil {
		return fmt.Errorf("uplink: connect %s: %w", u.opts.URL, err)
	}
	defer nc.Close()
	u.nc.Store(nc)
	defer u.nc.Store(nil)
	if !nc.IsConnected() {
		u.logger.Warn("control plane unreachable; detecting offline and buffering results in the outbox until it is back", "url", u.opts.URL)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("uplink: jetstream: %w", err)
	}
	if u.opts.Heartbeat != nil {
		go u.heartbeats(ctx, nc)
	}
	if u.opts.Attach != nil {
		done := make(chan struct{})
		defer func() { <-done }() // before nc closes
		go func() { defer close(done); u.opts.Attach(ctx, js) }()
	}
	u.drain(ctx, nc, js)
	return nil
}

func (u *Uplink) natsOptions() []nats.Option {
	auth := []nats.Option{nats.Token(u.opts.Token)}
	if u.opts.Secret != "" {
		auth = []nats.Option{nats.UserInfo(u.opts.AgentID, u.opts.Secret), nats.CustomInboxPrefix(protocol.AgentInboxPrefix(u.opts.AgentID))}
	}
	return append(auth,
		nats.Name("pynomaly-agent "+u.opts.AgentID),
		nats.RetryOnFailedConnect(true),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.ReconnectJitter(500*time.Millisecond, time.Second),
		nats.ConnectHandler(func(nc *nats.Conn) { u.logger.Info("connected to control plane", "url", nc.ConnectedUrlRedacted()) }),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			u.metrics.reconnects.Inc()
			u.logger.Info("reconnected to control plane", "url", nc.ConnectedUrlRedacted())
		}),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err == nil {
				return // closed on purpose, at shutdown
			}
			u.warn("disconnect", "lost the control plane; buffering results in the outbox", err)
		}),
		// Keep retrying after authorization errors: by default the client
		// closes the connection for good after two, leaving the agent
		// buffering forever even once the control plane accepts its token.
		nats.IgnoreAuthErrorAbort(),
		// Failed (re)connection attempts, including a rejected token before
		// the first connection, arrive here rather than at ErrorHandler.
		nats.ReconnectErrHandler(func(_ *nats.Conn, err error) {
			u.warn("connect", "cannot connect to control plane; retrying", u.explainAuth(err))
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			u.warn("nats_error", "control plane connection error", u.explainAuth(err))
		}),
	)
}

// explainAuth names the likely fix of an authorization error.
func (u *Uplink) explainAuth(err error) error {
	if !errors.Is(err, nats.ErrAuthorization) && !errors.Is(err, nats.ErrAuthExpired) {
		return err
	}
	if u.opts.Secret != "" {
		return fmt.Errorf("%w (the control plane refused this agent's credentials: it may have been unenrolled; enroll it again with pynomaly-agent enroll)", err)
	}
	return fmt.Errorf("%w (check control_plane.token or token_file)", err)
}

func (u *Uplink) warn(key, msg string, err error) {
	if ok, n := u.limiter.Allow(key); ok {
		u.logger.Warn(msg, "err", err, "suppressed", n)
	}
}

// backoff returns the wait before attempt n (0-based): exponential from
// 100ms, capped, with full jitter so a fleet reconnecting together spreads out.
func (u *Uplink) backoff(n int) time.Duration {
	d := 100 * time.Millisecond << min(n, 16)
	if d > u.opts.MaxBackoff || d <= 0 {
		d = u.opts.MaxBackoff
	}
	return d/2 + rand.N(d/2+1)
}
