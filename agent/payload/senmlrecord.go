package payload

import (
	"encoding/json"
	"math"
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/protocol"
)

// senmlKnown reports the RFC 8428 labels; others are ignored unless they
// end in '_', which the RFC says must be understood or the pack refused.
func senmlKnown(key string) bool {
	switch key {
	case "bn", "bt", "bu", "bv", "bs", "bver", "n", "u", "v", "vs", "vb", "vd", "s", "t", "ut":
		return true
	}
	return false
}

// update applies a record's base fields.
func (b *senmlBase) update(rec map[string]json.RawMessage) *Error {
	if rec == nil {
		return newError(input.ReasonMalformed, "null is not a record")
	}
	for k := range rec {
		if !senmlKnown(k) && strings.HasSuffix(k, "_") {
			return newError(input.ReasonMalformed, "field %s must be understood and is not", quote(k))
		}
	}
	if v, ok, e := senmlNumber(rec, "bver"); e != nil || ok && (v != math.Trunc(v) || v < 1 || v > senmlVersion) {
		return newError(input.ReasonMalformed, "bver: version %s is not supported (up to %d)", quote(string(rec["bver"])), senmlVersion)
	}
	if e := senmlString(rec, "bn", &b.name); e != nil {
		return e
	}
	if v, ok, e := senmlNumber(rec, "bt"); e != nil {
		e.Reason = input.ReasonBadTimestamp
		return e
	} else if ok {
		b.time = v
	}
	if v, ok, e := senmlNumber(rec, "bv"); e != nil {
		return e
	} else if ok {
		b.value = v
	}
	return nil
}

// resolve returns a record's full name, time and value. numeric is false
// for records without a usable "v"; e is nil when the record is merely of
// another type (vs, vb, vd or a sum only).
func (b *senmlBase) resolve(rec map[string]json.RawMessage, received time.Time) (name string, t time.Time, v float64, numeric bool, e *Error) {
	if e = senmlString(rec, "n", &name); e != nil {
		return
	}
	if name = b.name + name; !validSenMLName(name) {
		return "", t, 0, false, newError(input.ReasonMalformed, "name %s: want a letter or digit, then letters, digits or - : . / _", quote(name))
	}
	if t, e = b.resolveTime(rec, received); e != nil {
		return
	}
	raw, ok := rec["v"]
	if !ok {
		for _, k := range []string{"vs", "vb", "vd", "s"} {
			if _, other := rec[k]; other {
				return name, t, 0, false, nil
			}
		}
		return "", t, 0, false, newError(input.ReasonMissingValue, "%s has no value", quote(name))
	}
	if v, e = jsonNumber(raw, true); e != nil {
		return "", t, 0, false, e.at("%s: v", quote(name))
	}
	if v, e = finite(b.value+v, "bv+v"); e != nil {
		return "", t, 0, false, e.at("%s", quote(name))
	}
	return name, t, v, true, nil
}

func (b *senmlBase) resolveTime(rec map[string]json.RawMessage, received time.Time) (time.Time, *Error) {
	t, _, e := senmlNumber(rec, "t")
	if e == nil {
		t, e = finite(b.time+t, "bt+t")
	}
	if e != nil {
		e.Reason = input.ReasonBadTimestamp
		return time.Time{}, e
	}
	return senmlTime(t, received)
}

// senmlTime turns resolved seconds into a time. Zero means the record has
// no time, so the caller uses the receive time.
func senmlTime(sec float64, received time.Time) (time.Time, *Error) {
	const maxSec = math.MaxInt64 / 1e9 // beyond, nanoseconds overflow
	var t time.Time
	switch {
	case sec == 0:
		return t, nil
	case math.Abs(sec) >= maxSec:
	case sec >= senmlRelative:
		whole := math.Floor(sec)
		t = time.Unix(int64(whole), int64(math.Round((sec-whole)*1e9))).UTC()
	case received.IsZero():
		return t, newError(input.ReasonBadTimestamp, "relative time %g s needs a receive time", sec)
	default:
		t = received.Add(time.Duration(math.Round(sec * 1e9)))
	}
	if t.IsZero() || !protocol.ValidTimestamp(t) {
		return time.Time{}, newError(input.ReasonBadTimestamp, "time %g s is outside 1677-09-21..2262-04-11", sec)
	}
	return t, nil
}

func senmlString(rec map[string]json.RawMessage, key string, dst *string) *Error {
	raw, ok := rec[key]
	if !ok {
		return nil
	}
	if len(raw) == 0 || raw[0] != '"' {
		return newError(input.ReasonMalformed, "%s is %s, not a string", key, kind(raw))
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return newError(input.ReasonMalformed, "%s: %v", key, err)
	}
	return nil
}

func senmlNumber(rec map[string]json.RawMessage, key string) (float64, bool, *Error) {
	raw, ok := rec[key]
	if !ok {
		return 0, false, nil
	}
	v, e := jsonNumber(raw, true)
	if e != nil {
		return 0, true, e.at("%s", key)
	}
	return v, true, nil
}

// validSenMLName applies RFC 8428 section 4.5.1.
func validSenMLName(s string) bool {
	if s == "" || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isAlnum(s[i]) && strings.IndexByte("-:./_", s[i]) < 0 {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
