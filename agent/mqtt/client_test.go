package mqtt_test

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/mqtt"
	"github.com/pynomaly/pynomaly/internal/testkit"
)

// settle bounds every wait; generous, as CI machines are shared.
const settle = 30 * time.Second

func start(t *testing.T, opts mqtt.Options) *mqtt.Client {
	t.Helper()
	if opts.ClientID == "" {
		opts.ClientID = "test-" + strings.ReplaceAll(t.Name(), "/", "-")
	}
	opts.ReconnectMin, opts.ReconnectMax = 50*time.Millisecond, 200*time.Millisecond
	c, err := mqtt.Start(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func next(t *testing.T, c *mqtt.Client) *mqtt.Message {
	t.Helper()
	select {
	case m := <-c.C():
		return m
	case <-time.After(settle):
		t.Fatalf("no message within %s (last error %q)", settle, c.LastError())
		return nil
	}
}

func subscribed(t *testing.T, b *testkit.MQTTBroker, c *mqtt.Client, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), settle)
	defer cancel()
	if err := c.AwaitConnection(ctx); err != nil {
		t.Fatalf("not connected: %v (%s)", err, c.LastError())
	}
	// Subscribing follows the connection; a probe message says when.
	testkit.WaitFor(t, settle, "subscription", func() bool {
		b.Publish("probe/"+id, []byte("x"), 0)
		select {
		case <-c.C():
			return true
		case <-time.After(50 * time.Millisecond):
			return false
		}
	})
}

// subscriber starts a broker and a client with opts, subscribed to
// plant/# at qos (and to probe/#, for subscribed), and waits until its
// subscription holds.
func subscriber(t *testing.T, id string, qos byte, opts mqtt.Options) (*testkit.MQTTBroker, *mqtt.Client) {
	t.Helper()
	b := testkit.StartMQTTBroker(t, nil)
	opts.Brokers, opts.ClientID = []string{b.URL()}, id
	opts.Subscriptions = []mqtt.Subscription{{Filter: "plant/#", QoS: qos}, {Filter: "probe/#", QoS: 0}}
	c := start(t, opts)
	subscribed(t, b, c, id)
	return b, c
}

// TestAckAfterDurable: a QoS 1 message stays unacknowledged at the broker
// until Ack, and is acknowledged after it.
func TestAckAfterDurable(t *testing.T) {
	b := testkit.StartMQTTBroker(t, nil)
	id := "ack"
	c := start(t, mqtt.Options{Brokers: []string{b.URL()}, ClientID: id, SessionExpiry: time.Hour,
		Subscriptions: []mqtt.Subscription{{Filter: "plant/+/+/telemetry", QoS: 1}, {Filter: "probe/#", QoS: 0}}})
	subscribed(t, b, c, id)
	b.Publish("plant/a/pump-1/telemetry", []byte(`{"t": 1}`), 1)
	m := next(t, c)
	if m.Topic != "plant/a/pump-1/telemetry" || string(m.Payload) != `{"t": 1}` || m.QoS != 1 || m.Duplicate {
		t.Fatalf("got %s %q qos %d dup %v", m.Topic, m.Payload, m.QoS, m.Duplicate)
	}
	time.Sleep(200 * time.Millisecond) // several ack intervals: nothing may be acked yet
	if n := b.Inflight(id); n != 1 {
		t.Fatalf("inflight before Ack = %d, want 1", n)
	}
	m.Ack()
	testkit.WaitFor(t, settle, "ack at the broker", func() bool { return b.Inflight(id) == 0 })
}

// TestUnackedRedelivered: a message taken but not acknowledged when the
// client goes is delivered again to the next client of the same session.
func TestUnackedRedelivered(t *testing.T) {
	b := testkit.StartMQTTBroker(t, nil)
	id := "redeliver"
	opts := mqtt.Options{Brokers: []string{b.URL()}, ClientID: id, SessionExpiry: time.Hour,
		Subscriptions: []mqtt.Subscription{{Filter: "plant/#", QoS: 1}, {Filter: "probe/#", QoS: 0}}}
	c := start(t, opts)
	subscribed(t, b, c, id)
	b.Publish("plant/a", []byte("1"), 1)
	b.Publish("plant/a", []byte("2"), 1)
	first, second := next(t, c), next(t, c)
	first.Ack()
	_ = second // crash before its result is durable
	// Acks go out every 50ms; one still pending at Close would be lost,
	// and its message sent again too (harmless: see the pipeline's
	// duplicate check), but this test is about the unacknowledged one.
	testkit.WaitFor(t, settle, "first ack at the broker", func() bool { return b.Inflight(id) == 1 })
	c.Close(context.Background())

	c2 := start(t, opts)
	m := next(t, c2)
	if string(m.Payload) != "2" || !m.Duplicate {
		t.Fatalf("redelivered %q dup %v, want the unacknowledged \"2\" marked duplicate", m.Payload, m.Duplicate)
	}
	m.Ack()
	testkit.WaitFor(t, settle, "ack at the broker", func() bool { return b.Inflight(id) == 0 })
}

// TestWrongPassword: a refused connection is reported plainly and retried.
func TestWrongPassword(t *testing.T) {
	b := testkit.StartMQTTBroker(t, map[string]string{"agent": "right"})
	c := start(t, mqtt.Options{Brokers: []string{b.URL()}, Username: "agent", Password: "wrong",
		Subscriptions: []mqtt.Subscription{{Filter: "#", QoS: 1}}})
	testkit.WaitFor(t, settle, "the refusal reported", func() bool {
		e := c.LastError()
		return strings.HasPrefix(e, "broker refused the connection: bad user") && strings.HasSuffix(e, "(reason 0x86)")
	})
	good := start(t, mqtt.Options{Brokers: []string{b.URL()}, Username: "agent", Password: "right",
		Subscriptions: []mqtt.Subscription{{Filter: "#", QoS: 1}}})
	ctx, cancel := context.WithTimeout(t.Context(), settle)
	defer cancel()
	if err := good.AwaitConnection(ctx); err != nil {
		t.Fatalf("right password: %v (%s)", err, good.LastError())
	}
}

// TestDropWhenFull: with Overflow Drop a full queue drops and counts
// messages, and acknowledges them so the session does not stall.
func TestDropWhenFull(t *testing.T) {
	b := testkit.StartMQTTBroker(t, nil)
	var dropped atomic.Int64
	id := "drop"
	c := start(t, mqtt.Options{Brokers: []string{b.URL()}, ClientID: id, Queue: 2, Overflow: mqtt.Drop,
		OnDropped:     func() { dropped.Add(1) },
		Subscriptions: []mqtt.Subscription{{Filter: "plant/#", QoS: 1}, {Filter: "probe/#", QoS: 0}}})
	subscribed(t, b, c, id)
	for range 10 {
		b.Publish("plant/a", []byte("v"), 1)
	}
	testkit.WaitFor(t, settle, "8 dropped", func() bool { return dropped.Load() == 8 })
	if c.Len() != 2 {
		t.Errorf("queue holds %d, want 2", c.Len())
	}
	for range 2 {
		next(t, c).Ack()
	}
	testkit.WaitFor(t, settle, "all acknowledged", func() bool { return b.Inflight(id) == 0 })
}

// TestReconnectsAfterBrokerRestart: the client comes back by itself.
func TestReconnectsAfterBrokerRestart(t *testing.T) {
	b := testkit.StartMQTTBroker(t, nil)
	var ups atomic.Int64
	id := "restart"
	c := start(t, mqtt.Options{Brokers: []string{b.URL()}, ClientID: id, OnConnect: func() { ups.Add(1) },
		Subscriptions: []mqtt.Subscription{{Filter: "plant/#", QoS: 1}, {Filter: "probe/#", QoS: 0}}})
	subscribed(t, b, c, id)
	b.Restart()
	testkit.WaitFor(t, settle, "second connection", func() bool { return ups.Load() >= 2 })
	subscribed(t, b, c, id) // subscribed again on a broker that lost the session
	b.Publish("plant/x", []byte("after"), 1)
	if m := next(t, c); string(m.Payload) != "after" {
		t.Fatalf("got %q", m.Payload)
	}
}

func TestBadBrokers(t *testing.T) {
	for _, tc := range []struct {
		brokers []string
		want    string
	}{
		{nil, "no broker"},
		{[]string{"http://h:1883"}, `scheme "http"`},
		{[]string{"mqtt://"}, "no host"},
		{[]string{"ws://h:80"}, `scheme "ws"`},
		{[]string{"mqtt://h:1883", "::bad"}, "missing protocol scheme"},
	} {
		if _, err := mqtt.Start(t.Context(), mqtt.Options{Brokers: tc.brokers}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Start(%v) = %v, want an error containing %q", tc.brokers, err, tc.want)
		}
	}
}

// TestQoS0Paths: QoS 0 messages arrive whole and in order whether the
// connection decodes them itself or, past its read buffer, paho does.
func TestQoS0Paths(t *testing.T) {
	b, c := subscriber(t, "qos0", 0, mqtt.Options{})
	big := strings.Repeat("x", 100<<10) // past the 64 KiB read buffer
	want := []string{"1", big, "", "2"}
	for _, p := range want {
		b.Publish("plant/a", []byte(p), 0)
	}
	for i, w := range want {
		m := next(t, c)
		if m.Topic != "plant/a" || string(m.Payload) != w || m.QoS != 0 {
			t.Fatalf("message %d: %s, %d bytes, qos %d; want plant/a, %d bytes, qos 0", i, m.Topic, len(m.Payload), m.QoS, len(w))
		}
		m.Ack() // a no-op at QoS 0
	}
}

// TestOversizeReadPast: with MaxPayload, QoS 0 and 1 messages over it
// arrive in order with their size and no payload, whether or not they fit
// in the read buffer, and are acknowledged like the rest.
func TestOversizeReadPast(t *testing.T) {
	for _, qos := range []byte{0, 1} {
		t.Run("qos"+strconv.Itoa(int(qos)), func(t *testing.T) {
			id := "oversize" + strconv.Itoa(int(qos))
			b, c := subscriber(t, id, qos, mqtt.Options{MaxPayload: 1000, SessionExpiry: time.Hour})
			sizes := []int{1, 1001, 1000, 200 << 10, 2} // 200 KiB: past the read buffer
			for _, n := range sizes {
				b.Publish("plant/a", []byte(strings.Repeat("x", n)), qos)
			}
			for i, n := range sizes {
				m := next(t, c)
				payload, oversize := n, 0
				if n > 1000 {
					payload, oversize = 0, n
				}
				if len(m.Payload) != payload || m.Oversize != oversize || m.QoS != qos {
					t.Fatalf("message %d: %d bytes, oversize %d, qos %d; want %d, %d, %d", i, len(m.Payload), m.Oversize, m.QoS, payload, oversize, qos)
				}
				m.Ack()
			}
			testkit.WaitFor(t, settle, "all acknowledged", func() bool { return b.Inflight(id) == 0 })
		})
	}
}

// TestOversizeQoS2: a client with a QoS 2 subscription announces a
// Maximum Packet Size, and the broker keeps larger messages from it;
// those under it but over MaxPayload arrive marked oversize.
func TestOversizeQoS2(t *testing.T) {
	b, c := subscriber(t, "qos2", 2, mqtt.Options{MaxPayload: 1000})
	sizes := []int{1, 2000, mqtt.MaxPacketSize(1000) + 1, 2}
	for _, n := range sizes {
		b.Publish("plant/a", []byte(strings.Repeat("x", n)), 2)
	}
	for i, want := range []struct{ payload, oversize int }{{1, 0}, {0, 2000}, {2, 0}} {
		m := next(t, c)
		if len(m.Payload) != want.payload || m.Oversize != want.oversize || m.QoS != 2 {
			t.Fatalf("message %d: %d bytes, oversize %d, qos %d; want %d, %d, 2", i, len(m.Payload), m.Oversize, m.QoS, want.payload, want.oversize)
		}
		m.Ack()
	}
}

// TestCloseWhileQueueFull: with Overflow Block and a full queue the
// connection stops reading; Close still returns promptly.
func TestCloseWhileQueueFull(t *testing.T) {
	b, c := subscriber(t, "full", 0, mqtt.Options{Queue: 1})
	for range 5 {
		b.Publish("plant/a", []byte("v"), 0)
	}
	testkit.WaitFor(t, settle, "a full queue", func() bool { return c.Len() == 1 })
	done := make(chan struct{})
	go func() {
		c.Close(context.Background())
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(settle):
		t.Fatal("Close did not return with the reader blocked on a full queue")
	}
}

// TestAcksInArrivalOrder: acknowledging later messages first sends
// nothing (PUBACKs go in arrival order); acknowledging the first sends
// them all.
func TestAcksInArrivalOrder(t *testing.T) {
	id := "order"
	b, c := subscriber(t, id, 1, mqtt.Options{SessionExpiry: time.Hour})
	for _, p := range []string{"1", "2", "3"} {
		b.Publish("plant/a", []byte(p), 1)
	}
	ms := []*mqtt.Message{next(t, c), next(t, c), next(t, c)}
	for i, m := range ms {
		if want := strconv.Itoa(i + 1); string(m.Payload) != want || m.QoS != 1 {
			t.Fatalf("message %d: %q qos %d, want %q qos 1", i, m.Payload, m.QoS, want)
		}
	}
	ms[2].Ack()
	ms[1].Ack()
	time.Sleep(200 * time.Millisecond)
	if n := b.Inflight(id); n != 3 {
		t.Fatalf("inflight %d with the first unacknowledged, want 3", n)
	}
	ms[0].Ack()
	testkit.WaitFor(t, settle, "all acknowledged", func() bool { return b.Inflight(id) == 0 })
}
