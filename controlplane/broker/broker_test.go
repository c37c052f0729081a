package broker_test

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/pynomaly/pynomaly/controlplane/broker"
)

// startTestBroker starts a broker on a random port in a temp dir and shuts
// it down when the test ends.
func startTestBroker(t *testing.T, edit func(*broker.Options)) *broker.Broker {
	t.Helper()
	opts := broker.Options{Host: "127.0.0.1", StoreDir: t.TempDir(), Token: "s3cret"}
	if edit != nil {
		edit(&opts)
	}
	b, err := broker.Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(b.Shutdown)
	return b
}

func TestStartRequiresToken(t *testing.T) {
	b, err := broker.Start(broker.Options{StoreDir: t.TempDir()})
	if err == nil {
		b.Shutdown()
		t.Fatal("Start without a token succeeded; the uplink would be open to anyone")
	}
	if !strings.Contains(err.Error(), "token") {
		t.Errorf("error %q does not mention the token", err)
	}
}

func TestExternalClientAuth(t *testing.T) {
	b := startTestBroker(t, nil)
	if !b.Ready() {
		t.Fatal("Ready() = false after Start")
	}
	if !strings.HasPrefix(b.ClientURL(), "nats://127.0.0.1:") || strings.HasSuffix(b.ClientURL(), ":4222") {
		t.Errorf("ClientURL = %q, want a random port on 127.0.0.1", b.ClientURL())
	}
	tests := []struct {
		name    string
		opts    []nats.Option
		wantErr error
	}{
		{"right token", []nats.Option{nats.Token("s3cret")}, nil},
		{"wrong token", []nats.Option{nats.Token("guess")}, nats.ErrAuthorization},
		{"no token", nil, nats.ErrAuthorization},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := append([]nats.Option{nats.NoReconnect(), nats.Timeout(5 * time.Second)}, tc.opts...)
			nc, err := nats.Connect(b.ClientURL(), opts...)
			if tc.wantErr != nil {
				if err == nil {
					nc.Close()
					t.Fatal("connected without the right token")
				}
				if !errors.Is(err, tc.wantErr) && !strings.Contains(strings.ToLower(err.Error()), "authorization") {
					t.Fatalf("Connect error = %v, want an authorization error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Connect: %v", err)
			}
			defer nc.Close()
			if err := nc.Publish("ping", []byte("x")); err != nil {
				t.Fatal(err)
			}
			if err := nc.Flush(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestInProcessConnectHasJetStream(t *testing.T) {
	b := startTestBroker(t, nil)
	nc, err := b.Connect("test")
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	defer nc.Close()
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	info, err := js.AccountInfo()
	if err != nil {
		t.Fatalf("JetStream not enabled: %v", err)
	}
	if info.Tier.Streams != 0 {
		t.Errorf("fresh broker has %d streams", info.Tier.Streams)
	}
}

func TestShutdownMakesNotReady(t *testing.T) {
	b, err := broker.Start(broker.Options{Host: "127.0.0.1", StoreDir: t.TempDir(), Token: "x"})
	if err != nil {
		t.Fatal(err)
	}
	b.Shutdown()
	if b.Ready() {
		t.Error("Ready() = true after Shutdown")
	}
}

func TestSecondBrokerOnSamePortFails(t *testing.T) {
	first := startTestBroker(t, nil)
	u, err := url.Parse(first.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	start := time.Now()
	second, err := broker.Start(broker.Options{Host: "127.0.0.1", Port: port, StoreDir: t.TempDir(), Token: "x"})
	if err == nil {
		second.Shutdown()
		t.Fatalf("second broker on port %d started", port)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Start took %s to fail; want a prompt error, not the ready timeout", d)
	}
	addr := net.JoinHostPort("127.0.0.1", u.Port())
	if !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "in use") {
		t.Errorf("error %q should name %s and say it is in use", err, addr)
	}
	if !first.Ready() {
		t.Error("the first broker stopped being ready")
	}
}
