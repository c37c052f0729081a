package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// jsonParser turns JSON-lines objects into records; keys other than the
// timestamp and the fields are ignored.
type jsonParser struct {
	tsKey  string
	fields []string
	obj    map[string]json.RawMessage // reused between lines
}

func newJSONParser(o FileOptions) *jsonParser {
	return &jsonParser{tsKey: o.TimestampField, fields: o.Fields}
}

func (p *jsonParser) parse(line int64, text []byte) (Record, *BadRecord) {
	if bad := p.decode(line, text); bad != nil {
		return Record{}, bad
	}
	rec := Record{Line: line}
	if p.tsKey == "" {
		rec.Timestamp, rec.TimestampText = syntheticTime(line)
	} else {
		var ce *cellError
		raw, ok := p.obj[p.tsKey]
		if rec.Timestamp, rec.TimestampText, ce = jsonTime(raw, ok); ce != nil {
			return Record{}, ce.bad(line, fmt.Sprintf("key %q", p.tsKey))
		}
	}
	rec.Values = make([]float64, len(p.fields))
	for i, f := range p.fields {
		var ce *cellError
		raw, ok := p.obj[f]
		if rec.Values[i], ce = jsonNumber(raw, ok); ce != nil {
			return Record{}, ce.bad(line, fmt.Sprintf("key %q", f))
		}
	}
	return rec, nil
}

func (p *jsonParser) decode(line int64, text []byte) *BadRecord {
	if p.obj == nil {
		p.obj = make(map[string]json.RawMessage, len(p.fields)+1)
	}
	clear(p.obj)
	err := json.Unmarshal(text, &p.obj)
	if te := (*json.UnmarshalTypeError)(nil); errors.As(err, &te) {
		return malformed(line, "JSON %s is not an object", te.Value)
	}
	if err != nil {
		return malformed(line, "invalid JSON: %v", err)
	}
	if p.obj == nil { // the line was the literal null
		return malformed(line, "JSON null is not an object")
	}
	return nil
}

// jsonNumber accepts only JSON numbers: a numeric string is rejected so a
// producer's type bug shows up instead of being papered over.
func jsonNumber(raw json.RawMessage, ok bool) (float64, *cellError) {
	raw = bytes.TrimSpace(raw)
	switch {
	case !ok:
		return 0, &cellError{ReasonMissingValue, "missing"}
	case string(raw) == "null":
		return 0, &cellError{ReasonMissingValue, "null"}
	case raw[0] == '"':
		return 0, &cellError{ReasonNonNumeric, "string " + quote(string(raw[1:len(raw)-1])) + " is not a number"}
	case raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9':
		return parseNumber(string(raw))
	}
	return 0, &cellError{ReasonNonNumeric, quote(string(raw)) + " is not a number"}
}

// jsonTime accepts a string in any ParseTimestamp format or an epoch number.
func jsonTime(raw json.RawMessage, ok bool) (time.Time, string, *cellError) {
	raw = bytes.TrimSpace(raw)
	if !ok || string(raw) == "null" {
		return time.Time{}, "", &cellError{ReasonBadTimestamp, "missing"}
	}
	text := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return time.Time{}, "", &cellError{ReasonBadTimestamp, err.Error()}
		}
	}
	t, ce := parseTime(text)
	return t, text, ce
}
