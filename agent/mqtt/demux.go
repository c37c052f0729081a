package mqtt

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
)

// demuxConn takes QoS 0 and 1 PUBLISH packets out of the byte stream
// before paho reads it, hands them to take, and acknowledges QoS 1 ones
// itself when the caller says (acks); every other packet, and any packet it
// does not fully understand, reaches paho unchanged, byte for byte.
//
// Why: paho.golang reads each packet into a bytes.Buffer that it grows
// twice, copies the payload out again, and routes the packet through two
// goroutines; measured at QoS 0 through mosquitto that was about half of
// the agent's CPU, and the limit on how fast it keeps up with a broker
// (docs/benchmarks.md). With manual acknowledgement its ack tracker also
// keeps acknowledged packets referenced (it reslices its queue instead of
// clearing it): tens of MB at 10,000 series. A QoS 0 or 1 message leaves
// nothing in paho's session state (paho stores neither; a QoS 1 message
// not acknowledged before a disconnect is sent again by the broker), so
// handling them here changes no protocol behaviour. QoS 2, with its
// PUBREC/PUBREL exchange, stays with paho, as does everything else.
//
// Ordering: messages of one QoS keep the order they arrived in, which is
// all MQTT promises (4.6: ordering is per topic and QoS), and PUBACKs go
// out in the order their messages arrived (4.6), whatever order they are
// acknowledged in.
//
// Only paho's one reading goroutine calls Read. Writes take the embedded
// mutex: paho locks a connection that is a sync.Locker for each packet it
// writes (a TLS connection must not interleave two packets' writes), and
// acks, written from their own goroutine, take the same lock.
type demuxConn struct {
	net.Conn
	sync.Mutex
	r *bufio.Reader
	// pass is how many bytes of the packet at the head of the stream are
	// still paho's to read.
	pass int
	// held is a packet larger than the read buffer that was read whole
	// and turned out to be paho's: its bytes come before the stream's.
	held []byte
	// take receives a message. Its topic and payload point into the read
	// buffer, valid only during the call. It may block: the stream is not
	// read meanwhile, which is the Block overflow's backpressure.
	take func(inbound)
	// acks sends this connection's PUBACKs.
	acks *ackQueue
	// maxPayload > 0: a QoS 0 or 1 message with a larger payload is taken
	// with its size alone (inbound.oversize), its payload never copied
	// and, when it is larger than the read buffer, never held: read past.
	maxPayload int

	closeOnce sync.Once
	closed    chan struct{}
}

// inbound is a QoS 0 or 1 message as the connection decoded it.
type inbound struct {
	topic, payload []byte
	qos            byte
	dup            bool
	id             uint16 // the packet identifier at QoS 1
	// oversize > 0: the payload, this many bytes, was over maxPayload
	// and skipped; payload is nil.
	oversize int
	// seq identifies a QoS 1 message to conn.acks.
	seq  uint64
	conn *demuxConn
}

func newDemuxConn(conn net.Conn, size, maxPayload int, take func(inbound)) *demuxConn {
	c := &demuxConn{Conn: conn, r: bufio.NewReaderSize(conn, size), take: take, maxPayload: maxPayload, closed: make(chan struct{})}
	c.acks = newAckQueue()
	go c.acks.run(c.writePacket, c.closed)
	return c
}

// writePacket writes whole packets under the connection's write lock.
func (c *demuxConn) writePacket(b []byte) error {
	c.Lock()
	defer c.Unlock()
	_, err := c.Conn.Write(b)
	return err
}

func (c *demuxConn) Read(p []byte) (int, error) {
	for len(c.held) == 0 && c.pass == 0 {
		if err := c.next(); err != nil {
			return 0, err
		}
	}
	if len(c.held) > 0 {
		n := copy(p, c.held)
		c.held = c.held[n:]
		return n, nil
	}
	if len(p) > c.pass {
		p = p[:c.pass]
	}
	n, err := c.r.Read(p)
	c.pass -= n
	return n, err
}

// Close also releases a take blocked on a full queue.
func (c *demuxConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// errMalformedLength ends a connection whose broker sent a remaining
// length of more than four bytes (MQTT v5 1.5.5: a malformed packet).
var errMalformedLength = errors.New("mqtt: malformed packet from the broker: remaining length longer than 4 bytes")

// MQTT v5 fixed header values (2.1.2, 3.3.1).
const (
	packetPublish   = 3
	publishDup      = 0x08
	publishQoSMask  = 0x06
	publishQoS1     = 0x02
	maxVBIBytes     = 4
	propTopicAlias  = 0x23
	fixedHeaderSize = 1
)

// next looks at the packet at the head of the stream: it takes a QoS 0 or
// 1 PUBLISH and sets pass (or held) for anything else. It
// returns an error only when no byte of a next packet could be read.
func (c *demuxConn) next() error {
	hdr, err := c.r.Peek(fixedHeaderSize + 1) // every packet has at least two bytes
	if err != nil {
		return c.passBuffered(err)
	}
	// The remaining length, a variable byte integer (1.5.5): a byte with
	// its top bit set says another follows, and each one that follows
	// means the packet is at least 128 times longer, so peeking one byte
	// further never waits for bytes beyond the packet.
	remaining, mul, i := 0, 1, 1
	for {
		b := hdr[i]
		remaining += int(b&0x7f) * mul
		if b&0x80 == 0 {
			break
		}
		if i == maxVBIBytes {
			// paho would read on, to a length of gigabytes, and
			// allocate it.
			return errMalformedLength
		}
		mul *= 128
		i++
		if hdr, err = c.r.Peek(i + 1); err != nil {
			return c.passBuffered(err)
		}
	}
	total := i + 1 + remaining
	if q := hdr[0] & publishQoSMask; hdr[0]>>4 != packetPublish || q != 0 && q != publishQoS1 {
		c.pass = total
		return nil
	}
	if total > c.r.Size() {
		if skipped, err := c.skipOversize(total, i+1); skipped || err != nil {
			return err
		}
		// Read whole, not left to paho: a message that went through
		// paho's goroutines would overtake or be overtaken by the ones
		// around it, and MQTT keeps a topic's messages of one QoS in
		// order. paho would allocate it all the same.
		pkt := make([]byte, total)
		if _, err := io.ReadFull(c.r, pkt); err != nil {
			return err
		}
		c.takeOrHold(pkt, i+1)
		return nil
	}
	pkt, err := c.r.Peek(total)
	if err != nil {
		// Not all of it arrives (a deadline, a closed connection): paho
		// reads what there is and meets the same error.
		c.pass = total
		return nil
	}
	// pkt[0], not hdr[0]: peeking further may have moved the buffer's
	// contents, and hdr with them.
	if c.deliver(pkt, i+1) {
		_, _ = c.r.Discard(total) // cannot fail: Peek(total) succeeded
		return nil
	}
	c.pass = total // malformed, or a topic alias: paho's
	return nil
}

// skipOversize reads past a QoS 0 or 1 PUBLISH of total bytes, larger
// than the read buffer, whose payload is over maxPayload, and takes it
// with its size alone; skipped is false, and nothing is read, for any
// other packet, or one whose topic and properties do not fit in the
// buffer. err is the connection's, when the packet did not arrive whole:
// then nothing is taken, and the broker sends a QoS 1 message again.
func (c *demuxConn) skipOversize(total, body int) (skipped bool, err error) {
	if c.maxPayload <= 0 || total-body <= c.maxPayload {
		return false, nil
	}
	head, err := c.r.Peek(c.r.Size())
	if err != nil {
		return false, nil // paho's read meets the same error
	}
	qos := (head[0] & publishQoSMask) >> 1
	b := head[body:]
	topic, id, rest, ok := splitPublish(b, qos)
	if !ok {
		return false, nil
	}
	size := total - body - (len(b) - len(rest))
	if size <= c.maxPayload {
		return false, nil
	}
	in := inbound{topic: append([]byte(nil), topic...), qos: qos, dup: head[0]&publishDup != 0, id: id, oversize: size, conn: c}
	if _, err := c.r.Discard(total); err != nil {
		return false, err
	}
	if qos > 0 {
		in.seq = c.acks.add(id)
	}
	c.take(in)
	return true, nil
}

// takeOrHold takes the PUBLISH pkt, read whole, or holds it for paho.
func (c *demuxConn) takeOrHold(pkt []byte, body int) {
	if !c.deliver(pkt, body) {
		c.held = pkt
	}
}

// deliver hands the QoS 0 or 1 PUBLISH pkt, whose variable header starts
// at body, to take; false, having done nothing, when it is malformed or
// uses a topic alias.
func (c *demuxConn) deliver(pkt []byte, body int) bool {
	qos := (pkt[0] & publishQoSMask) >> 1
	topic, id, payload, ok := splitPublish(pkt[body:], qos)
	if !ok {
		return false
	}
	in := inbound{topic: topic, payload: payload, qos: qos, dup: pkt[0]&publishDup != 0, id: id, conn: c}
	if c.maxPayload > 0 && len(payload) > c.maxPayload {
		in.payload, in.oversize = nil, len(payload)
	}
	if qos > 0 {
		in.seq = c.acks.add(id)
	}
	c.take(in)
	return true
}

// passBuffered gives paho the bytes that arrived before err, then err.
func (c *demuxConn) passBuffered(err error) error {
	if n := c.r.Buffered(); n > 0 {
		c.pass = n
		return nil
	}
	return err
}

// splitPublish finds the topic, packet identifier and payload in the
// variable header and payload of a QoS 0 or 1 PUBLISH (3.3.2: topic name,
// the packet identifier at QoS 1, then properties). ok is false for
// anything malformed and for a topic alias, which paho resolves: the agent
// announces a topic alias maximum of 0, so a broker does not send one.
func splitPublish(b []byte, qos byte) (topic []byte, id uint16, payload []byte, ok bool) {
	if len(b) < 2 {
		return nil, 0, nil, false
	}
	tl := int(binary.BigEndian.Uint16(b))
	if tl == 0 || 2+tl > len(b) {
		return nil, 0, nil, false
	}
	topic, b = b[2:2+tl], b[2+tl:]
	if qos > 0 {
		if len(b) < 2 {
			return nil, 0, nil, false
		}
		if id, b = binary.BigEndian.Uint16(b), b[2:]; id == 0 {
			return nil, 0, nil, false // 2.2.1: non-zero at QoS > 0
		}
	}
	plen, n, ok := uvarint(b)
	if !ok || n+plen > len(b) {
		return nil, 0, nil, false
	}
	if !plainProperties(b[n : n+plen]) {
		return nil, 0, nil, false
	}
	return topic, id, b[n+plen:], true
}

// plainProperties reports whether a PUBLISH's properties (3.3.2.3) are
// well formed and hold no topic alias. None of them changes what the
// agent does with the message.
func plainProperties(p []byte) bool {
	for len(p) > 0 {
		id := p[0]
		p = p[1:]
		var size int
		switch id {
		case 0x01: // payload format indicator
			size = 1
		case 0x02: // message expiry interval
			size = 4
		case propTopicAlias:
			return false
		case 0x03, 0x08, 0x09: // content type, response topic, correlation data
			if len(p) < 2 {
				return false
			}
			size = 2 + int(binary.BigEndian.Uint16(p))
		case 0x26: // user property: two strings
			if len(p) < 2 {
				return false
			}
			k := 2 + int(binary.BigEndian.Uint16(p))
			if len(p) < k+2 {
				return false
			}
			size = k + 2 + int(binary.BigEndian.Uint16(p[k:]))
		case 0x0B: // subscription identifier
			_, n, ok := uvarint(p)
			if !ok {
				return false
			}
			size = n
		default:
			return false
		}
		if size > len(p) {
			return false
		}
		p = p[size:]
	}
	return true
}

// uvarint decodes an MQTT variable byte integer: its value and length.
func uvarint(b []byte) (v, n int, ok bool) {
	mul := 1
	for n < len(b) && n < maxVBIBytes {
		c := b[n]
		v += int(c&0x7f) * mul
		n++
		if c&0x80 == 0 {
			return v, n, true
		}
		mul *= 128
	}
	return 0, 0, false
}
