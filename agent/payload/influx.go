package payload

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
)

// influxFormat reads InfluxDB line protocol, one sample per line:
//
//	measurement[,tag=value...] field=value[,field=value...] [timestamp]
//
// Only numeric fields (float, integer "i", unsigned "u") become values;
// boolean and string fields are skipped, since producers routinely mix
// status text with measurements.
type influxFormat struct {
	mult int64 // nanoseconds per timestamp unit
}

// measurementLabel is the label that carries a line's measurement.
const measurementLabel = "measurement"

func (f *influxFormat) parse(b []byte, _ time.Time, dst []Sample) ([]Sample, *Error) {
	var bad skipped
	var used bool
	for n, line := range lines(b) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		used = true
		s, e := f.line(string(line))
		if e != nil {
			bad.add(e.at("line %d", n))
			continue
		}
		dst = append(dst, s)
	}
	if !used {
		return dst, newError(input.ReasonMissingValue, "only comments, no data lines")
	}
	return dst, bad.err()
}

// influxField is a numeric field before sorting.
type influxField struct {
	name  string
	value float64
}

func (f *influxFormat) line(s string) (Sample, *Error) {
	labels, rest, e := influxSeries(s)
	if e != nil {
		return Sample{}, e
	}
	fields, rest, e := influxFields(rest)
	if e != nil {
		return Sample{}, e
	}
	if len(fields) == 0 {
		return Sample{}, newError(input.ReasonNonNumeric, "no numeric field")
	}
	sample := Sample{Labels: labels, Fields: make([]string, len(fields)), Values: make([]float64, len(fields))}
	slices.SortFunc(fields, func(a, b influxField) int { return strings.Compare(a.name, b.name) })
	for i, fl := range fields {
		if i > 0 && fl.name == fields[i-1].name {
			return Sample{}, newError(input.ReasonMalformed, "field %s repeated", quote(fl.name))
		}
		sample.Fields[i], sample.Values[i] = fl.name, fl.value
	}
	if rest = strings.TrimLeft(rest, " \t"); strings.ContainsAny(rest, " \t") {
		return Sample{}, newError(input.ReasonMalformed, "unexpected %s after the timestamp", quote(rest))
	}
	if rest != "" {
		if sample.Timestamp, e = f.timestamp(rest); e != nil {
			return Sample{}, e
		}
	}
	return sample, nil
}

// influxSeries reads the measurement and tags, up to the space before the
// fields.
func influxSeries(s string) (map[string]string, string, *Error) {
	i := scan(s, ", ")
	if i == 0 {
		return nil, "", newError(input.ReasonMalformed, "missing measurement")
	}
	labels := map[string]string{measurementLabel: unescape(s[:i])}
	for s = s[i:]; len(s) > 0 && s[0] == ','; {
		s = s[1:]
		i = scan(s, ", ")
		key, value, e := influxPair(s[:i], "tag")
		if e != nil {
			return nil, "", e
		}
		if _, dup := labels[key]; dup {
			return nil, "", newError(input.ReasonMalformed, "tag %s repeated or clashes with the measurement label", quote(key))
		}
		labels[key] = unescape(value)
		s = s[i:]
	}
	if s == "" {
		return nil, "", newError(input.ReasonMalformed, "no fields")
	}
	return labels, strings.TrimLeft(s, " \t"), nil
}

// influxPair splits key=value at the first unescaped '='.
func influxPair(s, what string) (key, value string, e *Error) {
	i := scan(s, "=")
	if i == len(s) {
		return "", "", newError(input.ReasonMalformed, "%s %s has no '='", what, quote(s))
	}
	key, value = unescape(s[:i]), s[i+1:]
	if key == "" || value == "" {
		return "", "", newError(input.ReasonMalformed, "%s %s needs a key and a value", what, quote(s))
	}
	return key, value, nil
}

// influxFields reads the field set and returns what follows it.
func influxFields(s string) ([]influxField, string, *Error) {
	var fields []influxField
	for {
		end := fieldEnd(s)
		key, value, e := influxPair(s[:end], "field")
		if e != nil {
			return nil, "", e
		}
		v, numeric, e := influxValue(value)
		if e != nil {
			return nil, "", e.at("field %s", quote(key))
		}
		if numeric {
			fields = append(fields, influxField{key, v})
		}
		switch s = s[end:]; {
		case s == "" || s[0] == ' ' || s[0] == '\t':
			return fields, s, nil
		case s[0] != ',':
			return nil, "", newError(input.ReasonMalformed, "field %s: unexpected %s after the value", quote(key), quote(s))
		}
		s = s[1:]
	}
}

// fieldEnd finds the ',' or ' ' after one key=value, skipping escapes in
// the key and a quoted string value.
func fieldEnd(s string) int {
	i := scan(s, "= ,")
	if i == len(s) || s[i] != '=' {
		return i
	}
	i++
	if i < len(s) && s[i] == '"' {
		if j := closingQuote(s[i:]); j > 0 {
			return i + j + 1
		}
		return len(s)
	}
	return i + scan(s[i:], " ,")
}

// closingQuote returns the index of the '"' that ends the string value s
// starts with, or -1.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// influxValue reads a field value; numeric is false for the boolean and
// string fields that are skipped.
func influxValue(v string) (x float64, numeric bool, e *Error) {
	switch v {
	case "t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE":
		return 0, false, nil
	}
	if v[0] == '"' {
		if closingQuote(v) != len(v)-1 {
			return 0, false, newError(input.ReasonMalformed, "unterminated string %s", quote(v))
		}
		return 0, false, nil
	}
	var err error
	switch v[len(v)-1] {
	case 'i':
		var n int64
		n, err = strconv.ParseInt(v[:len(v)-1], 10, 64)
		x = float64(n)
	case 'u':
		var n uint64
		n, err = strconv.ParseUint(v[:len(v)-1], 10, 64)
		x = float64(n)
	default:
		x, e = parseNumber(v)
		return x, e == nil, e
	}
	if errors.Is(err, strconv.ErrRange) {
		return 0, false, newError(input.ReasonNotFinite, "%s overflows 64 bits", quote(v))
	}
	if err != nil {
		return 0, false, newError(input.ReasonNonNumeric, "%s is not a number", quote(v))
	}
	return x, true, nil
}

func (f *influxFormat) timestamp(s string) (time.Time, *Error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if errors.Is(err, strconv.ErrRange) || err == nil && (n > math.MaxInt64/f.mult || n < math.MinInt64/f.mult) {
		return time.Time{}, newError(input.ReasonBadTimestamp, "timestamp %s is outside 1677-09-21..2262-04-11", quote(s))
	}
	if err != nil {
		return time.Time{}, newError(input.ReasonBadTimestamp, "timestamp %s is not an integer", quote(s))
	}
	return time.Unix(0, n*f.mult).UTC(), nil
}

// scan returns the index of the first byte of stops in s that is not
// escaped by a backslash, or len(s).
func scan(s, stops string) int {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case strings.IndexByte(stops, s[i]) >= 0:
			return i
		}
	}
	return len(s)
}

// unescape drops the backslash before the characters line protocol escapes
// in names; other backslashes are literal.
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`,= \`, s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
