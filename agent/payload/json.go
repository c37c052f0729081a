package payload

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
)

func (f *jsonFormat) parse(b []byte, _ time.Time, dst []Sample) ([]Sample, *Error) {
	obj, e := object(b)
	if e != nil {
		return dst, e
	}
	s := Sample{Fields: f.names, Values: make([]float64, len(f.names))}
	if e := f.root.read(obj, &s); e != nil {
		return dst, e
	}
	return append(dst, s), nil
}

// read fills s from the keys below n in obj, a valid JSON object. A key
// given twice takes its last value, as encoding/json does.
func (n *jsonNode) read(obj []byte, s *Sample) *Error {
	var found [8][]byte // most nodes have few keys: no allocation
	raws := found[:0]
	if len(n.kids) > len(found) {
		raws = make([][]byte, 0, len(n.kids))
	}
	raws = raws[:len(n.kids)]
	members(obj, func(key []byte, escaped bool, raw []byte) {
		for i, k := range n.kids {
			if keyIs(key, escaped, k.key) {
				raws[i] = raw
			}
		}
	})
	for i, k := range n.kids {
		raw, ok := raws[i], raws[i] != nil
		var e *Error
		switch k.slot {
		case slotObject:
			if e := k.readObject(raw, ok, s); e != nil {
				return e // names the path already
			}
			continue
		case slotTime:
			s.Timestamp, e = jsonTime(raw, ok)
		default:
			s.Values[k.slot], e = jsonNumber(raw, ok)
		}
		if e != nil {
			return e.at("key %q", k.path)
		}
	}
	return nil
}

// readObject descends into a nested object. A path that meets anything but
// an object is reported like a missing key: the value is not there, and the
// payload itself is well-formed JSON.
func (n *jsonNode) readObject(raw json.RawMessage, ok bool, s *Sample) *Error {
	if !ok || raw[0] != '{' {
		what := "missing"
		if ok {
			what = kind(raw) + ", not an object"
		}
		reason := input.ReasonMissingValue
		if n.leaf.slot == slotTime {
			reason = input.ReasonBadTimestamp
		}
		return newError(reason, "key %q: %q is %s", n.leaf.path, n.path, what)
	}
	return n.read(raw, s)
}

// kind names a JSON value's type for messages.
func kind(raw json.RawMessage) string {
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// jsonNumber accepts only JSON numbers, as agent/input does: a numeric
// string is rejected so a producer's type bug shows up instead of being
// papered over.
func jsonNumber(raw json.RawMessage, ok bool) (float64, *Error) {
	switch {
	case !ok:
		return 0, newError(input.ReasonMissingValue, "missing")
	case raw[0] == 'n':
		return 0, newError(input.ReasonMissingValue, "null")
	case raw[0] == '"':
		return 0, newError(input.ReasonNonNumeric, "string %s is not a number", quote(string(raw[1:len(raw)-1])))
	case raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9':
		return parseNumber(string(raw))
	}
	return 0, newError(input.ReasonNonNumeric, "%s is not a number", kind(raw))
}

// jsonTime accepts a string in any input.ParseTimestamp format or an epoch
// number.
func jsonTime(raw json.RawMessage, ok bool) (time.Time, *Error) {
	if !ok || raw[0] == 'n' {
		return time.Time{}, newError(input.ReasonBadTimestamp, "missing")
	}
	var text string
	switch raw[0] {
	case '"':
		// The scan that found raw checked it is a JSON string, so one
		// without escapes is its text between the quotes: no decoder
		// needed, which was a sixth of the agent's CPU at QoS 0.
		if bytes.IndexByte(raw, '\\') < 0 {
			text = string(raw[1 : len(raw)-1])
		} else if err := json.Unmarshal(raw, &text); err != nil {
			return time.Time{}, newError(input.ReasonBadTimestamp, "%v", err)
		}
	case '{', '[', 't', 'f':
		return time.Time{}, newError(input.ReasonBadTimestamp, "%s is not a timestamp", kind(raw))
	default:
		text = string(raw)
	}
	return parseTime(text)
}
