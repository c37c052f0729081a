package testkit

import (
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// NATSServer is a standalone NATS server with JetStream on disk, standing
// for the external NATS a control plane connects to. Stop and Start keep
// its port and store directory, so a restart finds its streams again.
type NATSServer struct {
	t    testing.TB
	opts server.Options
	ns   *server.Server
}

// StartNATSServer starts a server on a free loopback port that requires
// token, with edit (if not nil) applied to its options. It stops when the
// test ends.
func StartNATSServer(t testing.TB, token string, edit func(*server.Options)) *NATSServer {
	t.Helper()
	s := &NATSServer{t: t, opts: server.Options{
		ServerName: "external", Host: "127.0.0.1", Port: FreePort(t), Authorization: token,
		JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true,
		// As the embedded broker: an acknowledgement means on disk.
		SyncAlways: true,
	}}
	if edit != nil {
		edit(&s.opts)
	}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// JetStream connects to the server with its token, as an agent would, for
// the rest of the test.
func (s *NATSServer) JetStream() jetstream.JetStream {
	s.t.Helper()
	nc, err := nats.Connect(s.URL(), nats.Token(s.opts.Authorization))
	if err != nil {
		s.t.Fatalf("connect to %s: %v", s.URL(), err)
	}
	s.t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		s.t.Fatal(err)
	}
	return js
}

// URL is the server's nats:// address.
func (s *NATSServer) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", s.opts.Port) }

// Start starts the server on its port and store directory and waits until
// it accepts connections.
func (s *NATSServer) Start() {
	s.t.Helper()
	opts := s.opts // the server keeps and changes what it is given
	ns, err := server.NewServer(&opts)
	if err != nil {
		s.t.Fatalf("configure NATS server: %v", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		s.t.Fatalf("NATS server on %s not ready within 10s", s.URL())
	}
	s.ns = ns
}

// Stop shuts the server down, closing every client connection, and waits
// until JetStream has flushed its files and the port is free.
func (s *NATSServer) Stop() {
	if s.ns != nil {
		s.ns.Shutdown()
		s.ns.WaitForShutdown()
		s.ns = nil
	}
}
