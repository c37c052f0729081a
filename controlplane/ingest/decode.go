package ingest

import (
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/pynomaly/pynomaly/protocol"
)

// decodePayload is protocol.DecodeAlert, faster for the messages agents
// send: decoding with encoding/json took a quarter of ingest's time.
// decodeFast reads the alert as agents write it (each known field once, no
// nulls, valid UTF-8) and gives up on anything else, which
// protocol.DecodeAlert then decodes, or refuses, as it always has. Both
// give the same alert for what decodeFast reads (FuzzDecodePayload).
func decodePayload(data []byte) (protocol.Alert, error) {
	if a, ok := decodeFast(data); ok {
		return a, a.Validate()
	}
	return protocol.DecodeAlert(data)
}

// decodeFast decodes data as encoding/json would into a protocol.Alert, or
// reports that it cannot.
func decodeFast(data []byte) (protocol.Alert, bool) {
	var a protocol.Alert
	s := scanner{data: data}
	if !s.byte('{') {
		return a, false
	}
	var seen uint32
	for {
		key, ok := s.str()
		if !ok || !s.byte(':') {
			return a, false
		}
		bit := s.field(&a, key)
		if bit == 0 || seen&bit != 0 || !s.ok {
			return a, false // unknown, repeated or unreadable
		}
		seen |= bit
		if s.byte('}') {
			break
		}
		if !s.byte(',') {
			return a, false
		}
	}
	s.space()
	return a, s.i == len(data)
}

// field decodes the value of key into a and returns key's bit, or 0 for a
// key that is not one of a's fields as written.
func (s *scanner) field(a *protocol.Alert, key []byte) uint32 {
	switch string(key) {
	case "v":
		a.Version = s.int()
		return 1 << 0
	case "id":
		a.ID = s.string()
		return 1 << 1
	case "agent_id":
		a.AgentID = s.string()
		return 1 << 2
	case "series":
		a.Series = s.string()
		return 1 << 3
	case "metric":
		a.Metric = s.string()
		return 1 << 4
	case "labels":
		a.Labels = s.strMap()
		return 1 << 5
	case "timestamp":
		a.Timestamp = s.time()
		return 1 << 6
	case "values":
		a.Values = s.floatMap()
		return 1 << 7
	case "score":
		a.Score = s.float()
		return 1 << 8
	case "threshold":
		a.Threshold = s.float()
		return 1 << 9
	case "severity":
		a.Severity = s.string()
		return 1 << 10
	case "detector":
		a.Detector = s.string()
		return 1 << 11
	case "model_version":
		a.ModelVersion = s.string()
		return 1 << 12
	case "contributions":
		a.Contributions = s.floatMap()
		return 1 << 13
	case "detected_at":
		a.DetectedAt = s.time()
		return 1 << 14
	}
	return 0
}

// scanner reads JSON values from data at i. Its readers return zero values
// and clear ok at the first thing they do not take; once ok is false the
// caller stops.
type scanner struct {
	data []byte
	i    int
	ok   bool
}

func (s *scanner) space() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// byte consumes c, after white space, if it comes next.
func (s *scanner) byte(c byte) bool {
	s.space()
	if s.i < len(s.data) && s.data[s.i] == c {
		s.i++
		return true
	}
	return false
}

// token reads a string and returns what is between its quotes, and
// whether that has escapes. It takes no control characters and no invalid
// UTF-8, which encoding/json would refuse or replace.
func (s *scanner) token() (raw []byte, escaped, ok bool) {
	if !s.byte('"') {
		return nil, false, false
	}
	start, ascii := s.i, true
	for s.i < len(s.data) {
		switch c := s.data[s.i]; {
		case c == '"':
			raw = s.data[start:s.i]
			s.i++
			return raw, escaped, ascii || utf8.Valid(raw)
		case c == '\\':
			escaped = true
			s.i++ // the escaped byte cannot end the string
		case c < 0x20:
			return nil, false, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		s.i++
	}
	return nil, false, false
}

// str returns a string's contents, unescaped.
func (s *scanner) str() ([]byte, bool) {
	raw, escaped, ok := s.token()
	if !ok || !escaped {
		return raw, ok
	}
	return unescape(raw)
}

func (s *scanner) string() string {
	raw, ok := s.str()
	s.ok = ok
	return string(raw)
}

// unescape decodes the escapes in raw. It gives up on a \u escape of half
// a UTF-16 surrogate pair, which encoding/json pairs or replaces.
func unescape(raw []byte) ([]byte, bool) {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			out = append(out, raw[i])
			continue
		}
		i++ // token saw to it that a byte follows
		switch c := raw[i]; c {
		case '"', '\\', '/':
			out = append(out, c)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(raw[i+1:])
			if !ok || utf16.IsSurrogate(r) {
				return nil, false
			}
			out = utf8.AppendRune(out, r)
			i += 4
		default:
			return nil, false
		}
	}
	return out, true
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number returns a JSON number's text.
func (s *scanner) number() []byte {
	s.space()
	start := s.i
	s.skip('-')
	if !s.skip('0') && s.digits() == 0 {
		return nil
	}
	if s.skip('.') && s.digits() == 0 {
		return nil
	}
	if s.skip('e') || s.skip('E') {
		_ = s.skip('+') || s.skip('-')
		if s.digits() == 0 {
			return nil
		}
	}
	return s.data[start:s.i]
}

func (s *scanner) skip(c byte) bool {
	if s.i < len(s.data) && s.data[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) digits() int {
	start := s.i
	for s.i < len(s.data) && '0' <= s.data[s.i] && s.data[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

// float and int convert as encoding/json does, failing where it would.
func (s *scanner) float() float64 {
	f, err := strconv.ParseFloat(string(s.number()), 64)
	s.ok = err == nil
	return f
}

func (s *scanner) int() int {
	n, err := strconv.ParseInt(string(s.number()), 10, 0)
	s.ok = err == nil
	return int(n)
}

// time hands the quoted text to time.Time's UnmarshalJSON, as
// encoding/json does.
func (s *scanner) time() time.Time {
	var t time.Time
	s.space()
	start := s.i
	_, _, ok := s.token()
	s.ok = ok && t.UnmarshalJSON(s.data[start:s.i]) == nil
	return t
}

// strMap and floatMap read an object into a new map, even an empty one, as
// encoding/json does; a repeated key keeps its last value.
func (s *scanner) strMap() map[string]string {
	m := map[string]string{}
	s.ok = s.object(func(k []byte) bool {
		v, ok := s.str()
		m[string(k)] = string(v)
		return ok
	})
	return m
}

func (s *scanner) floatMap() map[string]float64 {
	m := map[string]float64{}
	s.ok = s.object(func(k []byte) bool {
		m[string(k)] = s.float()
		return s.ok
	})
	return m
}

// object reads an object's members, handing each key to value, which reads
// the value that follows.
func (s *scanner) object(value func(key []byte) bool) bool {
	if !s.byte('{') {
		return false
	}
	if s.byte('}') {
		return true
	}
	for {
		key, ok := s.str()
		if !ok || !s.byte(':') || !value(key) {
			return false
		}
		if s.byte('}') {
			return true
		}
		if !s.byte(',') {
			return false
		}
	}
}
