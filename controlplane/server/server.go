// Package server assembles the control plane: the embedded NATS broker (or
// a connection to an external NATS), the store, the ingest consumer and the
// HTTP API, started together and shut down together.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/auth"
	"github.com/pynomaly/pynomaly/controlplane/broker"
	"github.com/pynomaly/pynomaly/controlplane/desired"
	"github.com/pynomaly/pynomaly/controlplane/ingest"
	"github.com/pynomaly/pynomaly/controlplane/natsauth"
	"github.com/pynomaly/pynomaly/controlplane/store"
)

// Options configures a control plane.
type Options struct {
	// Host and Port are the HTTP API's listen address; Port 0 picks a free port.
	Host string
	Port int
	// DataDir holds the SQLite database, JetStream's files and generated secrets.
	DataDir string
	// DatabaseURL is a PostgreSQL URL to store in; empty means the SQLite
	// file DataDir/pynomaly.db.
	DatabaseURL string
	// Production refuses to start without DatabaseURL, SecretKey,
	// JWTSecret and NATSToken, or with placeholder values; development
	// (the default, the demo) generates the secrets into DataDir.
	Production bool
	// JWTSecret signs people's access tokens (JWT_SECRET_KEY); SecretKey
	// keys the stored hashes of API keys and refresh tokens (SECRET_KEY).
	JWTSecret, SecretKey string
	// AdminUsername and AdminPassword create the first admin when there
	// are no users (PYNOMALY_ADMIN_USERNAME, PYNOMALY_ADMIN_PASSWORD).
	AdminUsername, AdminPassword string
	// NATSHost and NATSPort are where agents connect; NATSPort 0 picks a free port.
	NATSHost string
	NATSPort int
	// NATSURL, when set, is an external NATS server with JetStream (or a
	// comma-separated list of a cluster's servers) to use instead of
	// starting the embedded one; NATSHost and NATSPort are then unused.
	NATSURL string
	// NATSToken is the shared token agents present; empty means read or
	// generate DataDir/nats-token (read only, with NATSURL). With the
	// embedded server it is also the control plane's own NATS password.
	NATSToken string
	// RequireEnrollment refuses agents that present the shared token
	// (PYNOMALY_REQUIRE_ENROLLMENT): every agent connects with its own
	// enrolled identity and scope. It needs the authorization callout
	// (always there with the embedded server; NATSCalloutKey with an
	// external one).
	RequireEnrollment bool
	// NATSCalloutKey is the account seed (SA...) that signs the answers of
	// the authorization callout of an external NATS; its public key is in
	// that server's auth_callout block (pynomaly server nats-config writes
	// both). With it, the control plane connects as broker.ControlPlaneUser
	// with NATSToken as its password. Without it, an external NATS admits agents by the shared
	// token only and enrollment is unavailable. The embedded server needs
	// none: a key is made at each start.
	NATSCalloutKey string
	// NATSSystemPassword is the password of broker.SystemUser in an
	// external NATS' system account, with which an unenrolled agent's
	// session is cut at once; without it, the session ends within its
	// TTL (1h).
	NATSSystemPassword string
	// NATSAdvertise are the NATS URLs enrolling agents are given; default:
	// the embedded server's address (on the host the agent reached the
	// API on), or NATSURL without credentials.
	NATSAdvertise []string
	// RateLimit, CORSOrigins and TrustedProxies guard the API (see
	// api.Options).
	RateLimit      api.RateLimit
	CORSOrigins    []string
	TrustedProxies []string
	// ShutdownTimeout bounds a clean stop; 0 means 10s.
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
}

// Server is a running control plane.
type Server struct {
	opts     Options
	logger   *slog.Logger
	store    *store.Store
	broker   *broker.Broker
	conn     *nats.Conn
	http     *http.Server
	listener net.Listener
	keys     auth.Keys
	issuer   nkeys.KeyPair // signs the authorization callout's answers; nil: no callout
	natsTok  string
	sysConn  *nats.Conn // external NATS' system account, for cutting sessions
	reg      *prometheus.Registry
	desired  *desired.Store
	// agentAuth admits agents to NATS; nil without a callout issuer.
	agentAuth *natsauth.Service
	done      chan struct{}
	err       error
}

// Start brings every component up and returns once the API listens. The
// server runs until ctx is cancelled or a component fails; Wait returns then.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	s := &Server{opts: opts, logger: opts.Logger, done: make(chan struct{})}
	if err := s.open(ctx); err != nil {
		s.closeAll()
		return nil, err
	}
	go s.run(ctx)
	return s, nil
}

func (s *Server) open(ctx context.Context) error {
	if err := s.checkProduction(); err != nil {
		return err
	}
	keys, err := s.authKeys()
	if err != nil {
		return err
	}
	s.keys = keys
	token, err := s.natsToken()
	if err != nil {
		return err
	}
	s.natsTok = token
	if s.issuer, err = s.calloutIssuer(); err != nil {
		return err
	}
	if s.issuer == nil && s.opts.RequireEnrollment {
		return errors.New("PYNOMALY_REQUIRE_ENROLLMENT needs the authorization callout of the external NATS: " +
			"configure it (pynomaly server nats-config) and set PYNOMALY_NATS_CALLOUT_KEY")
	}
	dsn := s.opts.DatabaseURL
	if dsn == "" {
		dsn = filepath.Join(s.opts.DataDir, "pynomaly.db")
	}
	if s.store, err = store.Open(ctx, dsn, s.logger); err != nil {
		return err
	}
	if err := s.bootstrapAdmin(ctx, keys); err != nil {
		return err
	}
	if err := s.connectNATS(ctx, token); err != nil {
		return err
	}
	s.reg = newRegistry(s.store)
	if s.desired, err = s.newDesired(); err != nil {
		return err
	}
	// Before Start returns: an agent connecting from now on is admitted
	// by it, not left waiting for an answer.
	if s.agentAuth, err = s.startAgentAuth(s.desired, s.reg); err != nil {
		return err
	}
	addr := net.JoinHostPort(s.opts.Host, strconv.Itoa(s.opts.Port))
	if s.listener, err = net.Listen("tcp", addr); err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	return nil
}

// run serves until ctx ends or a component fails, then shuts down in
// dependency order: stop taking requests, stop ingesting, then close NATS
// and the store.
func (s *Server) run(ctx context.Context) {
	defer close(s.done)
	defer s.closeAll()
	reg, ds, agentAuth := s.reg, s.desired, s.agentAuth
	fleet := s.fleetOptions(agentAuth)
	// An agent new to the store at its first heartbeat is rendered by the
	// policies, as an enrolling one is; fleet.Changed is set by
	// newHandler, before the ingester runs.
	newAgent := func(ctx context.Context, id string) {
		if fleet.Changed != nil {
			fleet.Changed(ctx, id)
		}
	}
	in, err := ingest.New(ingest.Options{Conn: s.conn, Store: s.store, NewAgent: newAgent, Logger: s.logger, Registerer: reg})
	if err != nil {
		s.err = err
		return
	}
	handler, err := newHandler(s, in, ds, reg, fleet)
	if err != nil {
		s.err = err
		return
	}
	s.http = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return in.Run(gctx) })
	g.Go(func() error { s.ensureDesired(gctx, ds); return nil })
	rate := newAnomalyRate(reg, anomalyRateWindow)
	if err := reg.Register(rate.collector()); err != nil {
		s.err = err
		return
	}
	g.Go(func() error { rate.run(gctx, 10*time.Second); return nil })
	if agentAuth != nil {
		g.Go(func() error { s.refreshGrants(gctx, ds, agentAuth); return nil })
	}
	g.Go(func() error { return s.serve() })
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
		defer cancel()
		return s.http.Shutdown(sctx)
	})
	s.logger.Info("control plane started", "api", s.HTTPURL(), "nats", s.NATSURL(), "data_dir", s.opts.DataDir)
	s.err = g.Wait()
}

func (s *Server) serve() error {
	if err := s.http.Serve(s.listener); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http: %w", err)
	}
	return nil
}

func (s *Server) closeAll() {
	if s.conn != nil {
		s.conn.Close()
	}
	if s.sysConn != nil {
		s.sysConn.Close()
	}
	if s.broker != nil {
		s.broker.Shutdown()
	}
	if s.store != nil {
		if err := s.store.Close(); err != nil {
			s.logger.Error("close store", "err", err)
		}
	}
	if s.listener != nil {
		_ = s.listener.Close()
	}
}

// Wait blocks until the server has stopped and returns why, nil for a
// clean stop after ctx was cancelled.
func (s *Server) Wait() error {
	<-s.done
	return s.err
}

// HTTPURL is the API's base URL.
func (s *Server) HTTPURL() string { return "http://" + s.listener.Addr().String() }

// NATSURL is the URL agents connect to: the embedded server's, or the
// external one's as configured.
func (s *Server) NATSURL() string {
	if s.broker == nil {
		return s.opts.NATSURL
	}
	return s.broker.ClientURL()
}
