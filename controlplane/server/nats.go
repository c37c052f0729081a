package server

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/controlplane/broker"
	"github.com/pynomaly/pynomaly/internal/lograte"
)

// connectNATS starts the embedded broker and connects to it in process,
// or, with Options.NATSURL set, connects to that external NATS instead.
func (s *Server) connectNATS(ctx context.Context, token string) error {
	if s.opts.NATSURL != "" {
		return s.connectExternal(ctx, token)
	}
	var err error
	s.broker, err = broker.Start(broker.Options{
		Host: s.opts.NATSHost, Port: s.opts.NATSPort, Token: token, CalloutIssuer: s.calloutPublic(),
		StoreDir: filepath.Join(s.opts.DataDir, "jetstream"),
		Logger:   s.logger.With("component", "nats"),
	})
	if err != nil {
		return err
	}
	s.conn, err = s.broker.Connect("pynomaly-controlplane")
	return err
}

// connectExternal connects to the external NATS and checks JetStream is
// there. A failure here ends the start with an error: a control plane that
// comes up against a wrong URL or token would look healthy to nobody and
// store nothing. Once connected, it reconnects forever (see natsOptions).
func (s *Server) connectExternal(ctx context.Context, token string) error {
	if err := ValidateNATSURL(s.opts.NATSURL); err != nil {
		return err
	}
	nc, err := nats.Connect(s.opts.NATSURL, s.natsOptions(token)...)
	if err != nil {
		return fmt.Errorf("connect to external NATS %s: %w", s.opts.NATSURL, explainNATS(err))
	}
	s.conn = nc
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("external NATS %s: %w", s.opts.NATSURL, err)
	}
	actx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := js.AccountInfo(actx); err != nil {
		return fmt.Errorf("external NATS %s: JetStream: %w", s.opts.NATSURL, explainNATS(err))
	}
	s.logger.Info("connected to external NATS", "url", nc.ConnectedUrlRedacted())
	return nil
}

// calloutPublic is the public key of the callout issuer, "" without one.
func (s *Server) calloutPublic() string {
	if s.issuer == nil {
		return ""
	}
	pub, _ := s.issuer.PublicKey() // cannot fail for a key calloutIssuer made or checked
	return pub
}

func (s *Server) natsOptions(token string) []nats.Option {
	logger := s.logger.With("component", "nats")
	limiter := lograte.New(30 * time.Second)
	auth := nats.Token(token)
	if s.issuer != nil {
		// With the callout, NATS knows the control plane as its own user:
		// the token is that user's password.
		auth = nats.UserInfo(broker.ControlPlaneUser, token)
	}
	return []nats.Option{
		nats.Name("pynomaly-controlplane"),
		auth,
		nats.MaxReconnects(-1),
		nats.CustomReconnectDelay(reconnectDelay),
		// Keep retrying after authorization errors too: a token being
		// rotated on the NATS side must not leave the control plane closed
		// for good (the client gives up after two by default).
		nats.IgnoreAuthErrorAbort(),
		// The default (2 minutes, 2 outstanding) would leave a NATS host
		// that vanished without closing its sockets looking connected,
		// and the readiness probe green, for about 4 minutes.
		nats.PingInterval(10 * time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil: closed on purpose, at shutdown
				logger.Warn("lost NATS; not ready until reconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { logger.Info("reconnected to NATS", "url", nc.ConnectedUrlRedacted()) }),
		nats.ReconnectErrHandler(func(_ *nats.Conn, err error) {
			if ok, n := limiter.Allow("reconnect"); ok {
				logger.Warn("cannot reach NATS; retrying", "err", explainNATS(err), "suppressed", n)
			}
		}),
	}
}

// reconnectDelay is the wait after every server in the URL list failed
// attempts times in a row: exponential from 250ms to 8s, with jitter so
// that replicas restarted together do not knock on NATS in step.
func reconnectDelay(attempts int) time.Duration {
	d := 250 * time.Millisecond << min(max(attempts-1, 0), 5)
	return d/2 + rand.N(d/2+1)
}

// natsReady reports whether this replica can reach NATS: the embedded
// server is up, or the connection to the external one is established.
func (s *Server) natsReady() bool {
	if s.broker != nil {
		return s.broker.Ready()
	}
	return s.conn.IsConnected()
}

// explainNATS names the likely fix of the errors a user can act on.
func explainNATS(err error) error {
	switch {
	case errors.Is(err, nats.ErrAuthorization), errors.Is(err, nats.ErrAuthExpired):
		return fmt.Errorf("%w (check the NATS token: PYNOMALY_NATS_TOKEN)", err)
	case errors.Is(err, jetstream.ErrJetStreamNotEnabled), errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount):
		return fmt.Errorf("%w (enable JetStream on the NATS server, with file storage)", err)
	}
	return err
}

// ValidateNATSURL checks an external NATS URL, or a comma-separated list
// of a cluster's URLs, without connecting. Credentials in a URL are refused:
// the token is configured on its own, and a URL ends up in logs.
func ValidateNATSURL(s string) error {
	for raw := range strings.SplitSeq(s, ",") {
		raw = strings.TrimSpace(raw)
		u, err := url.Parse(raw)
		switch {
		case raw == "":
			return fmt.Errorf("nats url list %q: empty entry", s)
		case !strings.Contains(raw, "://") || err == nil && !slices.Contains([]string{"nats", "tls", "ws", "wss"}, u.Scheme):
			return fmt.Errorf("nats url %q: want nats://host:port (or tls://, ws://, wss://)", raw)
		case err != nil:
			return fmt.Errorf("nats url %q: %w", raw, err)
		case u.Hostname() == "":
			return fmt.Errorf("nats url %q: no host", raw)
		case u.User != nil:
			u.User = nil // a token given as the user name must not reach the log
			return fmt.Errorf("nats url %q: credentials in the URL are not supported; give the token in PYNOMALY_NATS_TOKEN", u.String())
		case (u.Path != "" && u.Path != "/") || u.RawQuery != "":
			return fmt.Errorf("nats url %q: unexpected path or query", raw)
		}
	}
	return nil
}
