package mqtt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"strings"
	"testing"

	"github.com/eclipse/paho.golang/packets"
)

// event is one packet as the two sides of a demuxConn saw it: taken (a
// QoS 0 message decoded by the demultiplexer) or read by paho.
type event struct {
	taken          bool
	topic, payload string
	qos            byte
	dup            bool
	id             uint16
	oversize       int
	pkt            *packets.ControlPacket
}

// readerConn serves a byte slice as a net.Conn's reads.
type readerConn struct {
	net.Conn
	r io.Reader
}

func (c readerConn) Read(p []byte) (int, error) { return c.r.Read(p) }
func (c readerConn) Close() error               { return nil }

// demux reads stream through a demuxConn with paho's own packet reader on
// the other side, as the client does, and returns the events in stream
// order (a take happens inside the Read that precedes the next packet
// paho reads) and paho's error at the end.
func demux(stream []byte, size, maxPayload int) ([]event, error) {
	var evs []event
	take := func(in inbound) {
		evs = append(evs, event{taken: true, topic: string(in.topic), payload: string(in.payload), qos: in.qos, dup: in.dup, id: in.id,
			oversize: in.oversize})
	}
	c := newDemuxConn(readerConn{r: bytes.NewReader(stream)}, size, maxPayload, take)
	defer c.Close()
	for {
		cp, err := packets.ReadPacket(c)
		if err != nil {
			return evs, err
		}
		evs = append(evs, event{pkt: cp})
	}
}

// reference reads stream with paho alone.
func reference(stream []byte) ([]*packets.ControlPacket, error) {
	r := bytes.NewReader(stream)
	var out []*packets.ControlPacket
	for {
		cp, err := packets.ReadPacket(r)
		if err != nil {
			return out, err
		}
		out = append(out, cp)
	}
}

// checkSame fails unless every event is the packet paho alone reads at the
// same place in the stream: a taken event a QoS 0 or 1 PUBLISH with that
// topic, packet identifier, payload (or, past maxPayload, payload size)
// and DUP flag, a paho event an identical packet; and both stop at the
// same packet. A malformed remaining length ends the demultiplexed stream
// there, with errMalformedLength.
func checkSame(t *testing.T, stream []byte, size, maxPayload int) []event {
	t.Helper()
	evs, err := demux(stream, size, maxPayload)
	end, whole, malformed := wholePackets(stream)
	refStream := stream
	if malformed {
		refStream = stream[:end] // paho alone reads on, and allocates the length
	}
	want, _ := reference(refStream)
	switch {
	case errors.Is(err, errMalformedLength) && !malformed:
		t.Fatalf("%v for a stream without a five-byte remaining length\n%x", err, stream)
	case malformed && !errors.Is(err, errMalformedLength) && len(want) == whole:
		// Unless paho itself failed on a packet before it.
		t.Fatalf("a remaining length of five bytes gave %v, want %v\n%x", err, errMalformedLength, stream)
	}
	if len(evs) != len(want) {
		t.Fatalf("demultiplexed %d packets, paho alone read %d\n%x", len(evs), len(want), stream)
	}
	for i, ev := range evs {
		w := want[i]
		if !ev.taken {
			if !reflect.DeepEqual(ev.pkt, w) {
				t.Fatalf("packet %d: paho read %v through the demultiplexer, %v alone", i, ev.pkt, w)
			}
			continue
		}
		p, ok := w.Content.(*packets.Publish)
		payload := string(p.Payload)
		if oversize := maxPayload > 0 && len(p.Payload) > maxPayload; oversize {
			if ev.oversize != len(p.Payload) || ev.payload != "" {
				t.Fatalf("packet %d: payload of %d bytes over %d taken as %d bytes, oversize %d", i, len(p.Payload), maxPayload, len(ev.payload), ev.oversize)
			}
			payload = ""
		} else if ev.oversize != 0 {
			t.Fatalf("packet %d: payload of %d bytes (limit %d) taken as oversize %d", i, len(p.Payload), maxPayload, ev.oversize)
		}
		if !ok || p.QoS != ev.qos || p.PacketID != ev.id || p.Topic != ev.topic || payload != ev.payload || p.Duplicate != ev.dup {
			t.Fatalf("packet %d: taken qos %d id %d %q %q dup %v; paho alone read %v", i, ev.qos, ev.id, ev.topic, ev.payload, ev.dup, w)
		}
	}
	return evs
}

func encode(t testing.TB, cps ...*packets.ControlPacket) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, cp := range cps {
		if _, err := cp.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func publish(qos byte, topic string, payload []byte, props *packets.Properties) *packets.ControlPacket {
	cp := packets.NewControlPacket(packets.PUBLISH)
	p := cp.Content.(*packets.Publish)
	p.QoS, p.Topic, p.Payload = qos, topic, payload
	if qos > 0 {
		p.PacketID = 7
	}
	if props != nil {
		p.Properties = props
	}
	return cp
}

// sampleStream has one of each kind of packet the demultiplexer must
// tell apart.
func sampleStream(t testing.TB) []byte {
	u16 := func(v uint16) *uint16 { return &v }
	u32 := func(v uint32) *uint32 { return &v }
	b1 := func(v byte) *byte { return &v }
	connack := packets.NewControlPacket(packets.CONNACK)
	dup := publish(0, "plant/a/dup", []byte("d"), nil)
	dup.Content.(*packets.Publish).Duplicate = true
	return encode(t,
		connack,
		publish(0, "plant/a/pump-1/telemetry", []byte(`{"v": 1}`), nil),
		publish(0, "plant/a/props", []byte("2"), &packets.Properties{
			PayloadFormat: b1(1), MessageExpiry: u32(60), ContentType: "application/json",
			ResponseTopic: "r", CorrelationData: []byte{1, 2}, SubscriptionIdentifier: func() *int { v := 300; return &v }(),
			User: []packets.User{{Key: "k", Value: "v"}, {Key: "", Value: "empty key"}},
		}),
		publish(0, "plant/a/alias", []byte("3"), &packets.Properties{TopicAlias: u16(4)}),
		publish(1, "plant/a/qos1", []byte("4"), nil),
		publish(2, "plant/a/qos2", []byte("5"), nil),
		publish(0, "plant/a/empty", nil, nil),
		dup,
		publish(0, "plant/a/big", bytes.Repeat([]byte("x"), 300), nil), // past a 256-byte buffer
		packets.NewControlPacket(packets.PINGRESP),
		publish(0, "plant/a/long", bytes.Repeat([]byte("y"), 200), nil), // a 2-byte remaining length
		publish(0, "plant/a/big-alias", bytes.Repeat([]byte("z"), 300), &packets.Properties{TopicAlias: u16(5)}),
		publish(1, "plant/a/big-qos1", bytes.Repeat([]byte("w"), 300), nil),
	)
}

// TestDemuxSplitsStream: QoS 0 messages are taken, everything else reaches
// paho byte for byte, in stream order.
func TestDemuxSplitsStream(t *testing.T) {
	evs := checkSame(t, sampleStream(t), 256, 0)
	var got []string
	for _, ev := range evs {
		switch {
		case ev.taken:
			got = append(got, fmt.Sprintf("take %s qos=%d dup=%v", ev.topic, ev.qos, ev.dup))
		case ev.pkt.Type == packets.PUBLISH:
			p := ev.pkt.Content.(*packets.Publish)
			got = append(got, fmt.Sprintf("paho PUBLISH %s", p.Topic))
		default:
			got = append(got, fmt.Sprintf("paho %s", ev.pkt.PacketType()))
		}
	}
	want := []string{
		"paho CONNACK",
		"take plant/a/pump-1/telemetry qos=0 dup=false",
		"take plant/a/props qos=0 dup=false",
		"paho PUBLISH plant/a/alias", // a topic alias is paho's to resolve
		"take plant/a/qos1 qos=1 dup=false",
		"paho PUBLISH plant/a/qos2",
		"take plant/a/empty qos=0 dup=false",
		"take plant/a/dup qos=0 dup=true",
		"take plant/a/big qos=0 dup=false", // larger than the read buffer
		"paho PINGRESP",
		"take plant/a/long qos=0 dup=false",
		"paho PUBLISH plant/a/big-alias",
		"take plant/a/big-qos1 qos=1 dup=false",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
}

// TestDemuxMalformed: a packet the demultiplexer does not understand goes
// to paho whole, which fails on it as it would without the demultiplexer;
// a stream cut anywhere gives paho what arrived, then the error.
func TestDemuxMalformed(t *testing.T) {
	good := encode(t, publish(0, "a/b", []byte("1"), nil))
	for name, stream := range map[string][]byte{
		"QoS 3":                        {0x36, 0x05, 0x00, 0x01, 'a', 0x00, '1'},
		"topic longer than the packet": {0x30, 0x04, 0x00, 0x09, 'a', 0x00},
		"empty topic, no alias":        {0x30, 0x03, 0x00, 0x00, 0x00},
		"properties past the packet":   {0x30, 0x05, 0x00, 0x01, 'a', 0x09, 0x01},
		"unknown property":             {0x30, 0x07, 0x00, 0x01, 'a', 0x02, 0x7e, 0x00, '1'},
		"user property cut":            {0x30, 0x08, 0x00, 0x01, 'a', 0x03, 0x26, 0x00, 0x05, '1'},
		"unknown packet type 0":        {0x00, 0x00},
		"QoS 1, packet identifier 0":   {0x32, 0x06, 0x00, 0x01, 'a', 0x00, 0x00, 0x00},
		"QoS 1, packet identifier cut": {0x32, 0x04, 0x00, 0x01, 'a', 0x07},
	} {
		t.Run(name, func(t *testing.T) {
			checkSame(t, append(append([]byte{}, good...), stream...), 256, 0)
		})
	}
	t.Run("remaining length of five bytes", func(t *testing.T) {
		evs, err := demux(append(append([]byte{}, good...), 0x30, 0xff, 0xff, 0xff, 0xff, 0x7f), 256, 0)
		if len(evs) != 1 || !errors.Is(err, errMalformedLength) {
			t.Fatalf("got %d packets and %v, want the good one and %v", len(evs), err, errMalformedLength)
		}
	})
	whole := sampleStream(t)
	for cut := range len(whole) {
		checkSame(t, whole[:cut], 256, 0)
		checkSame(t, whole[:cut], 256, 100)
	}
}

// TestDemuxOversize: with a payload limit, QoS 0 and 1 messages over it
// are taken with their size alone, in order, whether the packet fits in
// the read buffer or not; QoS 2 and topic aliases still go to paho whole.
func TestDemuxOversize(t *testing.T) {
	evs := checkSame(t, sampleStream(t), 256, 100)
	var got []string
	for _, ev := range evs {
		if ev.taken {
			got = append(got, fmt.Sprintf("%s %d+%d", ev.topic, len(ev.payload), ev.oversize))
		}
	}
	want := []string{"plant/a/pump-1/telemetry 8+0", "plant/a/props 1+0", "plant/a/qos1 1+0", "plant/a/empty 0+0",
		"plant/a/dup 1+0", "plant/a/big 0+300", "plant/a/long 0+200", "plant/a/big-qos1 0+300"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("taken (topic payload+oversize)\n%q\nwant\n%q", got, want)
	}
	// The limit applies to the payload alone: a payload of exactly the
	// limit, behind a long topic and properties, is taken whole.
	long := strings.Repeat("t", 200)
	exact := encode(t, publish(1, long, bytes.Repeat([]byte("p"), 100), &packets.Properties{User: []packets.User{{Key: "k", Value: long}}}))
	evs = checkSame(t, exact, 256, 100)
	if len(evs) != 1 || len(evs[0].payload) != 100 || evs[0].oversize != 0 {
		t.Fatalf("a payload at the limit: %+v", evs)
	}
	// Topic and properties larger than the read buffer: read whole,
	// then found oversize.
	evs = checkSame(t, encode(t, publish(0, strings.Repeat("t", 300), bytes.Repeat([]byte("p"), 101), nil)), 256, 100)
	if len(evs) != 1 || evs[0].oversize != 101 {
		t.Fatalf("a long topic and an oversize payload: %+v", evs)
	}
}

// wholePackets walks the fixed headers of stream as MQTT v5 defines them
// (a test oracle, written apart from the demultiplexer): end is where the
// whole packets stop, n how many there are, and malformed says a
// remaining length of more than four bytes is what stops them.
func wholePackets(stream []byte) (end, n int, malformed bool) {
	for ; end < len(stream); n++ {
		length, mul, i := 0, 1, end+1
		for ; ; i++ {
			if i == len(stream) {
				return end, n, false
			}
			if i-end > 4 {
				return end, n, true
			}
			length += int(stream[i]&0x7f) * mul
			mul *= 128
			if stream[i]&0x80 == 0 {
				break
			}
		}
		if i+1+length > len(stream) {
			return end, n, false
		}
		end = i + 1 + length
	}
	return end, n, false
}

// FuzzDemux: for any byte stream, what the demultiplexer takes and what
// paho reads through it are exactly the packets paho alone reads.
func FuzzDemux(f *testing.F) {
	f.Add(sampleStream(f), uint16(256))
	f.Add(sampleStream(f), uint16(16))
	f.Add(encode(f, publish(0, "t", []byte("v"), nil)), uint16(65535))
	f.Fuzz(func(t *testing.T, stream []byte, size uint16) {
		// paho allocates the length a header declares before it reads:
		// a stream cut short is tested above with short packets, and
		// here only its whole packets are (or, past a malformed length,
		// the packets before it).
		if end, _, malformed := wholePackets(stream); !malformed {
			stream = stream[:end]
		}
		checkSame(t, stream, max(int(size), 16), 0)
		checkSame(t, stream, max(int(size), 16), int(size)/3+1)
	})
}
