// Package mqtt is the agent's MQTT v5 connection: a subscriber that hands
// messages over a bounded queue and acknowledges a QoS 1 or 2 message only
// when the caller says its result is durable.
//
// It wraps eclipse/paho.golang's autopaho, which keeps the connection up:
// it walks the broker list, reconnects with backoff and, with a session
// expiry set, resumes the session so the broker keeps unacknowledged
// messages for a restarted agent and delivers them again. QoS 0 and 1
// messages are decoded and acknowledged by the connection itself, not by
// paho (see demuxConn): that is most of the agent's work at high rates.
package mqtt

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
)

// Overflow says what a full queue does to the next message.
type Overflow int

const (
	// Block stops reading from the broker until the queue has room, which
	// is how MQTT's own flow control (receive maximum) slows the sender.
	Block Overflow = iota
	// Drop discards the message, counts it, and acknowledges it: its
	// result will never be durable, so holding the ack would only stall
	// the session.
	Drop
)

// Subscription is one topic filter and its maximum QoS.
type Subscription struct {
	Filter string
	QoS    byte
}

// Options configures a Client.
type Options struct {
	// Brokers are tried in turn: mqtt:// or tcp:// (1883), mqtts://,
	// ssl:// or tls:// (8883).
	Brokers  []string
	ClientID string
	Username string
	Password string
	// TLS is used for mqtts/tls/wss brokers; nil takes the system roots.
	TLS *tls.Config
	// KeepAlive is the MQTT keep-alive; default 30s.
	KeepAlive time.Duration
	// SessionExpiry > 0 asks for a persistent session: the broker keeps
	// subscriptions and unacknowledged QoS ≥ 1 messages that long after a
	// disconnect. 0 ends the session with the connection.
	SessionExpiry time.Duration
	// CleanStart discards the broker's session at the first connection.
	CleanStart    bool
	Subscriptions []Subscription
	// Queue bounds the messages received and not yet taken; default 1000.
	// It also sets the receive maximum the client announces
	// (ReceiveMaximum), the most QoS ≥ 1 messages the broker sends
	// unacknowledged.
	Queue    int
	Overflow Overflow
	// MaxPayload > 0 bounds the payloads held in memory: a message with a
	// larger one arrives with Payload nil and Oversize set, and at QoS 0
	// and 1 is read past rather than read in. With a QoS 2 subscription
	// the client also asks the broker not to send packets larger than
	// MaxPacketSize(MaxPayload) at all (paho reads those whole).
	MaxPayload int
	// ReconnectMin and ReconnectMax bound the backoff between connection
	// attempts; defaults 1s and 1 minute.
	ReconnectMin, ReconnectMax time.Duration
	Logger                     *slog.Logger
	// Hooks for metrics; any may be nil.
	OnConnect    func()
	OnDisconnect func()
	OnDropped    func()
}

// ReceiveMaximum is the receive maximum a client with this queue size
// announces: the queue, between 16 and 65535. So no more messages than
// the queue holds are ever unacknowledged at the broker, and no more can
// be sent again after a crash.
func ReceiveMaximum(queue int) int {
	if queue <= 0 {
		queue = DefaultQueue
	}
	return min(max(queue, 16), 65535)
}

// MaxPacketSize is the Maximum Packet Size (MQTT v5 3.1.2.11.4) a client
// with a QoS 2 subscription announces: room for a payload of maxPayload
// bytes and the largest topic and properties. The broker discards a
// larger message for this client without sending it, so the agent cannot
// count it; QoS 0 and 1 messages need no such limit, since the connection
// reads past an oversize payload without holding it.
func MaxPacketSize(maxPayload int) int {
	return min(maxPayload+packetOverhead, maxPacket)
}

const (
	// packetOverhead covers a PUBLISH's fixed header, its topic (at most
	// 65,535 bytes) and properties.
	packetOverhead = 128 << 10
	// maxPacket is the largest packet MQTT can describe (a four-byte
	// remaining length, plus the fixed header).
	maxPacket = 268435455 + 5
)

// DefaultQueue is Options.Queue's default.
const DefaultQueue = 1000

// Message is one received PUBLISH.
type Message struct {
	Topic    string
	Payload  []byte
	QoS      byte
	Received time.Time
	// Duplicate is the DUP flag: the broker sent it before, unacknowledged.
	Duplicate bool
	// Oversize > 0 says the payload was this many bytes, over
	// Options.MaxPayload; Payload is then nil. Ack it like any other.
	Oversize int

	// A message paho delivered: the connection it came on, to ack it.
	client *paho.Client
	pkt    *paho.Publish
	// A message the connection decoded itself: the queue its ack goes to.
	acks *ackQueue
	seq  uint64
	c    *Client
}

// Ack acknowledges the message to the broker, once its result is durable.
// Acks go out in the order messages arrived (MQTT requires it), so ack
// every message, in any order, including those that could not be parsed.
// A message received on an earlier connection is not acknowledged: the
// broker delivers it again on the resumed session.
func (m *Message) Ack() {
	if m.QoS == 0 {
		return
	}
	if m.acks != nil {
		if !m.acks.ack(m.seq) {
			m.c.staleAcks.Add(1)
		}
		return
	}
	if m.client == nil {
		return
	}
	if m.client != m.c.current.Load() {
		m.c.staleAcks.Add(1)
		return
	}
	if err := m.client.Ack(m.pkt); err != nil {
		m.c.logger.Debug("ack failed; the broker will send the message again", "topic", m.Topic, "err", err)
	}
}

// Client is a running subscriber. Messages arrive on C until Close.
type Client struct {
	opts   Options
	logger *slog.Logger
	cm     *autopaho.ConnectionManager
	queue  chan *Message
	// current is the connection messages last came on, nil after it
	// dropped: an ack goes only to it (see Message.Ack). It is set by the
	// messages themselves because a resumed session's first messages may
	// arrive before autopaho reports the connection up.
	current   atomic.Pointer[paho.Client]
	staleAcks atomic.Int64
	cancel    context.CancelFunc
	closeOnce sync.Once
	lastErr   atomic.Value // string: the last connection error
}

// Start connects in the background and keeps the connection up until
// Close; it fails only for options that can never work (a bad broker URL).
// A broker that cannot be reached is retried with backoff; LastError says
// why it is not connected.
func Start(ctx context.Context, opts Options) (*Client, error) {
	urls, err := parseBrokers(opts.Brokers)
	if err != nil {
		return nil, err
	}
	if opts.Queue <= 0 {
		opts.Queue = DefaultQueue
	}
	if opts.KeepAlive <= 0 {
		opts.KeepAlive = 30 * time.Second
	}
	if opts.ReconnectMin <= 0 {
		opts.ReconnectMin = time.Second
	}
	if opts.ReconnectMax < opts.ReconnectMin {
		opts.ReconnectMax = max(opts.ReconnectMin, time.Minute)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(ctx)
	c := &Client{opts: opts, logger: logger, queue: make(chan *Message, opts.Queue), cancel: cancel}
	cfg := autopaho.ClientConfig{
		ServerUrls:                    urls,
		TlsCfg:                        opts.TLS,
		KeepAlive:                     uint16(min(opts.KeepAlive/time.Second, 65535)),
		CleanStartOnInitialConnection: opts.CleanStart,
		SessionExpiryInterval:         uint32(min(opts.SessionExpiry/time.Second, 1<<32-1)),
		ReconnectBackoff:              autopaho.NewExponentialBackoff(opts.ReconnectMin, opts.ReconnectMax, opts.ReconnectMin, 2),
		ConnectTimeout:                10 * time.Second,
		OnConnectionUp:                c.connected,
		OnConnectionDown:              c.disconnected,
		OnConnectError:                c.connectError,
		AttemptConnection:             c.dial,
		ConnectPacketBuilder: func(cp *paho.Connect, _ *url.URL) (*paho.Connect, error) {
			rm := uint16(ReceiveMaximum(opts.Queue))
			if cp.Properties == nil {
				cp.Properties = &paho.ConnectProperties{}
			}
			cp.Properties.ReceiveMaximum = &rm
			if opts.MaxPayload > 0 && slices.ContainsFunc(opts.Subscriptions, func(s Subscription) bool { return s.QoS == 2 }) {
				mps := uint32(MaxPacketSize(opts.MaxPayload))
				cp.Properties.MaximumPacketSize = &mps
			}
			return cp, nil
		},
		ClientConfig: paho.ClientConfig{
			ClientID:                   opts.ClientID,
			EnableManualAcknowledgment: true,
			// Acks leave in batches this often: at most ReceiveMaximum
			// messages per interval can be acknowledged.
			SendAcksInterval:  10 * time.Millisecond,
			OnPublishReceived: []func(paho.PublishReceived) (bool, error){c.received},
			OnClientError:     func(err error) { c.setErr(err) },
			OnServerDisconnect: func(d *paho.Disconnect) {
				c.setErr(fmt.Errorf("broker disconnected: reason %d %s", d.ReasonCode, disconnectReason(d)))
			},
		},
	}
	if opts.Username != "" || opts.Password != "" {
		cfg.ConnectUsername, cfg.ConnectPassword = opts.Username, []byte(opts.Password)
	}
	if c.cm, err = autopaho.NewConnection(ctx, cfg); err != nil {
		cancel()
		return nil, fmt.Errorf("mqtt: %w", err)
	}
	return c, nil
}

// C delivers the received messages; it is never closed.
func (c *Client) C() <-chan *Message { return c.queue }

// Len is the number of messages waiting in the queue.
func (c *Client) Len() int { return len(c.queue) }

// StaleAcks counts acks skipped because their message came on an earlier
// connection.
func (c *Client) StaleAcks() int64 { return c.staleAcks.Load() }

// LastError says why the client is not connected, or "".
func (c *Client) LastError() string {
	s, _ := c.lastErr.Load().(string)
	return s
}

// Publish sends a message, waiting for the connection and, at QoS ≥ 1,
// for the broker's acknowledgement, until ctx ends.
func (c *Client) Publish(ctx context.Context, topic string, payload []byte, qos byte) error {
	if err := c.cm.AwaitConnection(ctx); err != nil {
		return err
	}
	_, err := c.cm.Publish(ctx, &paho.Publish{Topic: topic, Payload: payload, QoS: qos})
	return err
}

// AwaitConnection waits until the client is connected or ctx ends.
func (c *Client) AwaitConnection(ctx context.Context) error { return c.cm.AwaitConnection(ctx) }

// Close disconnects, waiting at most until ctx ends. Messages taken and
// not yet acknowledged stay unacknowledged: the broker sends them again.
func (c *Client) Close(ctx context.Context) {
	c.closeOnce.Do(func() {
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		_ = c.cm.Disconnect(dctx) // an error means we were not connected
		c.cancel()
		select {
		case <-c.cm.Done():
		case <-ctx.Done():
		}
	})
}

func (c *Client) connected(cm *autopaho.ConnectionManager, ack *paho.Connack) {
	c.lastErr.Store("")
	c.logger.Info("mqtt connected", "session_present", ack.SessionPresent)
	if c.opts.OnConnect != nil {
		c.opts.OnConnect()
	}
	// Subscribe even when the session is present: the broker may have
	// lost it (a restart without persistence), and subscribing again is
	// harmless. In a goroutine: OnConnectionUp must not block.
	go c.subscribe(cm)
}

func (c *Client) subscribe(cm *autopaho.ConnectionManager) {
	if len(c.opts.Subscriptions) == 0 {
		return // a publisher
	}
	subs := make([]paho.SubscribeOptions, len(c.opts.Subscriptions))
	for i, s := range c.opts.Subscriptions {
		subs[i] = paho.SubscribeOptions{Topic: s.Filter, QoS: s.QoS}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ack, err := cm.Subscribe(ctx, &paho.Subscribe{Subscriptions: subs})
	if err != nil {
		c.setErr(fmt.Errorf("subscribe: %w", err))
		return
	}
	for i, code := range ack.Reasons {
		if code >= 0x80 && i < len(subs) {
			c.setErr(fmt.Errorf("subscribe %s: refused by the broker (reason 0x%02x)", subs[i].Topic, code))
		}
	}
}

func (c *Client) disconnected() bool {
	c.current.Store(nil)
	c.logger.Warn("mqtt connection lost; reconnecting", "err", c.LastError())
	if c.opts.OnDisconnect != nil {
		c.opts.OnDisconnect()
	}
	return true
}

func (c *Client) connectError(err error) {
	var ce *autopaho.ConnackError
	if errors.As(err, &ce) {
		// Wrong credentials and the like: say so plainly, it will not fix
		// itself, but keep retrying in case the broker is reconfigured.
		err = fmt.Errorf("broker refused the connection: %s (reason 0x%02x)", refusal(ce), ce.ReasonCode)
		c.setErr(err)
		c.logger.Error("mqtt connection refused; retrying", "err", err)
		return
	}
	c.setErr(err)
	c.logger.Warn("mqtt connection attempt failed; retrying", "err", err)
}

// refusal names a CONNACK refusal, as MQTT v5 (3.2.2.2) does.
func refusal(ce *autopaho.ConnackError) string {
	if ce.Reason != "" {
		return ce.Reason
	}
	if s, ok := map[byte]string{
		0x80: "unspecified error", 0x81: "malformed packet", 0x82: "protocol error",
		0x84: "unsupported protocol version", 0x85: "client identifier not valid",
		0x86: "bad user name or password", 0x87: "not authorized", 0x88: "server unavailable",
		0x89: "server busy", 0x8A: "banned", 0x8C: "bad authentication method",
		0x95: "packet too large", 0x97: "quota exceeded",
	}[ce.ReasonCode]; ok {
		return s
	}
	return "reason not given"
}

func (c *Client) setErr(err error) { c.lastErr.Store(err.Error()) }

// received runs on paho's delivery goroutine, in arrival order, for QoS 2
// messages (and any the connection left to paho: see demuxConn);
// blocking here (Overflow Block) stops reading from the connection.
func (c *Client) received(pr paho.PublishReceived) (bool, error) {
	p := pr.Packet
	c.current.Store(pr.Client)
	m := &Message{Topic: p.Topic, Payload: p.Payload, QoS: p.QoS, Received: time.Now(), Duplicate: p.Duplicate(),
		client: pr.Client, pkt: p, c: c}
	if c.opts.MaxPayload > 0 && len(p.Payload) > c.opts.MaxPayload {
		m.Payload, m.Oversize = nil, len(p.Payload)
	}
	c.enqueue(m, nil)
	return true, nil
}

// enqueue puts m on the queue, or drops, counts and acknowledges it when
// the queue is full and the overflow policy is Drop. A blocked enqueue
// gives up when closed is closed (the connection went).
func (c *Client) enqueue(m *Message, closed <-chan struct{}) {
	if c.opts.Overflow == Drop {
		select {
		case c.queue <- m:
		default:
			if c.opts.OnDropped != nil {
				c.opts.OnDropped()
			}
			m.Ack()
		}
		return
	}
	select {
	case c.queue <- m:
	case <-closed:
	}
}

func parseBrokers(brokers []string) ([]*url.URL, error) {
	if len(brokers) == 0 {
		return nil, errors.New("mqtt: no broker")
	}
	urls := make([]*url.URL, len(brokers))
	for i, b := range brokers {
		u, err := url.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("mqtt: broker %q: %w", b, err)
		}
		switch strings.ToLower(u.Scheme) {
		case "mqtt", "tcp":
			u.Scheme = "mqtt"
		case "mqtts", "ssl", "tls":
			u.Scheme = "tls"
		default:
			return nil, fmt.Errorf("mqtt: broker %q: scheme %q, want mqtt, mqtts, tcp, ssl or tls", b, u.Scheme)
		}
		if u.Host == "" {
			return nil, fmt.Errorf("mqtt: broker %q: no host", b)
		}
		if u.Port() == "" {
			port := "1883"
			if u.Scheme == "tls" {
				port = "8883"
			}
			u.Host += ":" + port
		}
		urls[i] = u
	}
	return urls, nil
}

// dialTimeout bounds a TCP connection attempt and TLS handshake.
const dialTimeout = 10 * time.Second

// readBuffer is the read buffer of a connection: paho reads a packet's
// header, length and body with separate reads, which unbuffered is several
// system calls per message. It is also the largest message the
// demultiplexer decodes in place (larger ones it reads into their own
// buffer).
const readBuffer = 64 << 10

// dial connects to a broker, over TLS for tls://, and takes QoS 0 and 1
// messages out of the stream before paho reads it (see demuxConn).
func (c *Client) dial(ctx context.Context, cfg autopaho.ClientConfig, u *url.URL) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	var conn net.Conn
	var err error
	if u.Scheme == "tls" {
		d := tls.Dialer{Config: cfg.TlsCfg}
		conn, err = d.DialContext(ctx, "tcp", u.Host)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", u.Host)
	}
	if err != nil {
		return nil, err
	}
	topics := make(map[string]string) // this connection's reader's own
	return newDemuxConn(conn, readBuffer, c.opts.MaxPayload, func(in inbound) { c.receivedDirect(topics, in) }), nil
}

// maxInterned bounds the topics a connection keeps to reuse their
// strings: a message's topic is then not allocated again (the runner's
// own per-topic cache is keyed by it). Past it the map starts over.
const maxInterned = 4096

// receivedDirect queues a message the connection decoded itself; it runs
// on paho's reading goroutine, and blocking here (Overflow Block) stops
// reading from the connection, as received does.
func (c *Client) receivedDirect(topics map[string]string, in inbound) {
	t, ok := topics[string(in.topic)]
	if !ok {
		if len(topics) >= maxInterned {
			clear(topics)
		}
		t = string(in.topic)
		topics[t] = t
	}
	m := &Message{Topic: t, QoS: in.qos, Received: time.Now(), Duplicate: in.dup, Oversize: in.oversize, c: c}
	if in.oversize == 0 {
		m.Payload = append([]byte(nil), in.payload...)
	}
	if in.qos > 0 {
		m.acks, m.seq = in.conn.acks, in.seq
	}
	c.enqueue(m, in.conn.closed)
}

func disconnectReason(d *paho.Disconnect) string {
	if d.Properties != nil && d.Properties.ReasonString != "" {
		return d.Properties.ReasonString
	}
	return ""
}
