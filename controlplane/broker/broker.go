// Package broker runs the control plane's embedded NATS server with
// JetStream on disk, the default uplink for agents when no external NATS
// cluster is configured.
package broker

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Options configures the embedded server.
type Options struct {
	Host string
	// Port to listen on for agents; 0 picks a free port.
	Port int
	// StoreDir holds JetStream's files; created if missing.
	StoreDir string
	// Token every client must present. Empty is refused: agents' uplink must
	// never be open to anyone who can reach the port.
	Token string
	// CalloutIssuer, when set, is the public account key of the
	// authorization callout (controlplane/natsauth): the control plane
	// connects as ControlPlaneUser with Token as its password, and every
	// other connection is decided by the callout. Empty: every client
	// presents Token.
	CalloutIssuer string
	// Logger receives the server's own log lines; nil discards them.
	Logger *slog.Logger
	// ReadyTimeout bounds how long Start waits for the server; 0 means 10s.
	ReadyTimeout time.Duration
}

// Broker is a running embedded NATS server.
type Broker struct {
	ns      *server.Server
	token   string
	callout bool
}

// Start starts the server and waits until it accepts connections.
func Start(opts Options) (*Broker, error) {
	if opts.Token == "" {
		return nil, fmt.Errorf("nats: an auth token is required")
	}
	if err := os.MkdirAll(opts.StoreDir, 0o700); err != nil {
		return nil, fmt.Errorf("nats: create store dir: %w", err)
	}
	port := opts.Port
	if port == 0 {
		port = server.RANDOM_PORT
	}
	sopts := &server.Options{}
	if opts.CalloutIssuer != "" {
		conf, err := AuthConfig(opts.Token, opts.CalloutIssuer, "")
		if err != nil {
			return nil, err
		}
		if err := sopts.ProcessConfigString(conf); err != nil {
			return nil, fmt.Errorf("nats: auth config: %w", err)
		}
	} else {
		sopts.Authorization = opts.Token
	}
	sopts.ServerName = "pynomaly-controlplane"
	sopts.Host, sopts.Port = opts.Host, port
	sopts.JetStream, sopts.StoreDir = true, opts.StoreDir
	sopts.NoSigs = true // the control plane owns signal handling
	sopts.MaxPayload = 1 << 20
	// An agent deletes an alert from its outbox as soon as JetStream
	// acknowledges it, so the acknowledgement must mean "on disk", not
	// "in memory until the next periodic flush".
	sopts.SyncAlways = true
	ns, err := server.NewServer(sopts)
	if err != nil {
		return nil, fmt.Errorf("nats: configure: %w", err)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	adapter := newSlogAdapter(logger)
	ns.SetLoggerV2(adapter, false, false, false)
	ns.Start()
	timeout := opts.ReadyTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	if err := waitReady(ns, adapter.fatal, timeout); err != nil {
		ns.Shutdown()
		return nil, fmt.Errorf("nats: start on %s: %w", net.JoinHostPort(opts.Host, strconv.Itoa(opts.Port)), err)
	}
	return &Broker{ns: ns, token: opts.Token, callout: opts.CalloutIssuer != ""}, nil
}

// waitReady waits until ns accepts connections. The server reports a failure
// to listen (port in use) or to enable JetStream only through Fatalf and
// then keeps waiting, so without watching fatal a port clash would cost the
// whole timeout and end in a vague error.
func waitReady(ns *server.Server, fatal <-chan string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case msg := <-fatal:
			return errors.New(msg)
		default:
		}
		if ns.ReadyForConnections(50 * time.Millisecond) {
			return nil
		}
	}
	return fmt.Errorf("not ready for connections after %s", timeout)
}

// ClientURL is the URL agents connect to.
func (b *Broker) ClientURL() string { return b.ns.ClientURL() }

// Ready reports whether the server accepts connections and JetStream is on.
func (b *Broker) Ready() bool {
	return b.ns.Running() && b.ns.JetStreamEnabled()
}

// Connect opens an in-process client connection, which needs no socket.
// The caller closes it.
func (b *Broker) Connect(name string, opts ...nats.Option) (*nats.Conn, error) {
	auth := nats.Token(b.token)
	if b.callout {
		auth = nats.UserInfo(ControlPlaneUser, b.token)
	}
	opts = append([]nats.Option{nats.InProcessServer(b.ns), nats.Name(name), auth, nats.MaxReconnects(-1)}, opts...)
	nc, err := nats.Connect("", opts...)
	if err != nil {
		return nil, fmt.Errorf("nats: in-process connect: %w", err)
	}
	return nc, nil
}

// ID is the server's id, as authorization requests name it.
func (b *Broker) ID() string { return b.ns.ID() }

// Kick closes client cid's connection at once.
func (b *Broker) Kick(cid uint64) error { return b.ns.DisconnectClientByID(cid) }

// Shutdown stops the server and waits for it to finish flushing JetStream.
func (b *Broker) Shutdown() {
	b.ns.Shutdown()
	b.ns.WaitForShutdown()
}
