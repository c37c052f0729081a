package testkit

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
)

// MQTTBroker is an embedded MQTT v5 broker (mochi-mqtt) on a loopback
// port, so tests of MQTT inputs need nothing installed. Sessions live in
// its memory: Restart keeps the port and loses them, like a broker
// without persistence.
type MQTTBroker struct {
	t     testing.TB
	srv   *mochi.Server
	port  int
	users map[string]string
	// publishing is write-locked by Publish (see inflightGuard).
	publishing *sync.RWMutex
}

// StartMQTTBroker starts a broker that lets anyone in, or, with users
// (name → password), only those users. It stops when the test ends.
func StartMQTTBroker(t testing.TB, users map[string]string) *MQTTBroker {
	t.Helper()
	b := &MQTTBroker{t: t, port: FreePort(t), users: users}
	b.Start()
	t.Cleanup(b.Stop)
	return b
}

// URL is the broker's mqtt:// address.
func (b *MQTTBroker) URL() string { return fmt.Sprintf("mqtt://127.0.0.1:%d", b.port) }

// Start starts the broker on its port; it must be stopped.
func (b *MQTTBroker) Start() {
	b.t.Helper()
	srv := mochi.New(&mochi.Options{InlineClient: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	err := srv.AddHook(b.guard(), nil)
	switch {
	case err != nil:
	case b.users == nil:
		err = srv.AddHook(new(auth.AllowHook), nil)
	default:
		ledger := &auth.Ledger{Users: auth.Users{}, Auth: auth.AuthRules{}}
		for name, pass := range b.users {
			ledger.Users[name] = auth.UserRule{Username: auth.RString(name), Password: auth.RString(pass)}
		}
		err = srv.AddHook(new(auth.Hook), &auth.Options{Ledger: ledger})
	}
	if err == nil {
		err = srv.AddListener(listeners.NewTCP(listeners.Config{ID: "tcp", Address: fmt.Sprintf("127.0.0.1:%d", b.port)}))
	}
	if err == nil {
		err = srv.Serve()
	}
	if err != nil {
		b.t.Fatalf("start MQTT broker: %v", err)
	}
	b.srv = srv
}

// inflightGuard works around a deadlock in mochi v2.7.9: after each packet
// a client sends, the broker calls Inflight.NextImmediate on that client,
// which read-locks the client's in-flight map twice; a message published
// to the client in between (Inflight.Set, the write lock) deadlocks the
// broker. The guard holds Publish back from the moment a client's packet
// is read until 2 ms later, far longer than processing it takes. Only the
// test helpers' publishes are held; clients' own go through unguarded, so
// the guard narrows the window rather than closing it for those.
type inflightGuard struct {
	mochi.HookBase
	mu *sync.RWMutex
}

func (b *MQTTBroker) guard() *inflightGuard {
	if b.publishing == nil {
		b.publishing = new(sync.RWMutex)
	}
	return &inflightGuard{mu: b.publishing}
}

func (h *inflightGuard) ID() string           { return "inflight-guard" }
func (h *inflightGuard) Provides(b byte) bool { return b == mochi.OnPacketRead }

func (h *inflightGuard) OnPacketRead(cl *mochi.Client, pk packets.Packet) (packets.Packet, error) {
	if !cl.Net.Inline {
		h.mu.RLock()
		time.AfterFunc(2*time.Millisecond, h.mu.RUnlock)
	}
	return pk, nil
}

// Stop closes the broker and every connection to it.
func (b *MQTTBroker) Stop() {
	if b.srv != nil {
		_ = b.srv.Close()
		b.srv = nil
	}
}

// Restart stops the broker and starts it again on the same port.
func (b *MQTTBroker) Restart() {
	b.Stop()
	b.Start()
}

// Publish sends a message from the broker's inline client.
func (b *MQTTBroker) Publish(topic string, payload []byte, qos byte) {
	b.t.Helper()
	b.publishing.Lock() // see inflightGuard
	err := b.srv.Publish(topic, payload, false, qos)
	b.publishing.Unlock()
	if err != nil {
		b.t.Fatalf("publish %s: %v", topic, err)
	}
}

// Inflight is the number of QoS ≥ 1 messages the broker has sent to
// client id and not had acknowledged; -1 if the client is unknown.
func (b *MQTTBroker) Inflight(id string) int {
	cl, ok := b.srv.Clients.Get(id)
	if !ok {
		return -1
	}
	return cl.State.Inflight.Len()
}

// Connected reports whether client id is connected.
func (b *MQTTBroker) Connected(id string) bool {
	cl, ok := b.srv.Clients.Get(id)
	return ok && !cl.Closed()
}

// Dropped is the number of messages the broker dropped for want of
// inflight quota at a subscriber.
func (b *MQTTBroker) Dropped() int64 { return b.srv.Info.InflightDropped }

// Subscribed reports whether client id has a subscription matching topic.
func (b *MQTTBroker) Subscribed(id, topic string) bool {
	_, ok := b.srv.Topics.Subscribers(topic).Subscriptions[id]
	return ok
}

// Collect subscribes the broker's inline client to filter; the function
// it returns gives the payloads received so far, in order.
func (b *MQTTBroker) Collect(filter string) func() [][]byte {
	b.t.Helper()
	var mu sync.Mutex
	var got [][]byte
	err := b.srv.Subscribe(filter, 1, func(_ *mochi.Client, _ packets.Subscription, pk packets.Packet) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, append([]byte(nil), pk.Payload...))
	})
	if err != nil {
		b.t.Fatalf("subscribe %s: %v", filter, err)
	}
	return func() [][]byte {
		mu.Lock()
		defer mu.Unlock()
		return append([][]byte(nil), got...)
	}
}
