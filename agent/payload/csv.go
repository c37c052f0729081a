package payload

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/pynomaly/pynomaly/agent/input"
)

// csvFormat reads one sample per line. A message has no header: Columns
// name every cell, and TimestampColumn picks the timestamp among them.
type csvFormat struct {
	sep     rune
	sepStr  string
	columns []string // every cell
	values  []string // the value cells: columns without the timestamp
	ts      int      // index of the timestamp cell, -1 for none
}

func (f *csvFormat) parse(b []byte, _ time.Time, dst []Sample) ([]Sample, *Error) {
	var bad skipped
	var cells []string // reused between lines
	for n, line := range lines(b) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e *Error
		cells, e = f.split(string(line), cells[:0])
		if e == nil {
			var s Sample
			if s, e = f.sample(cells); e == nil {
				dst = append(dst, s)
				continue
			}
		}
		bad.add(e.at("line %d", n))
	}
	return dst, bad.err()
}

func (f *csvFormat) sample(cells []string) (Sample, *Error) {
	if len(cells) != len(f.columns) {
		return Sample{}, newError(input.ReasonMalformed, "%d cells, want %d", len(cells), len(f.columns))
	}
	s := Sample{Fields: f.values, Values: make([]float64, 0, len(f.values))}
	for i, c := range cells {
		if i == f.ts {
			var e *Error
			if s.Timestamp, e = parseTime(c); e != nil {
				return Sample{}, e.at("column %q", f.columns[i])
			}
			continue
		}
		v, e := parseNumber(c)
		if e != nil {
			return Sample{}, e.at("column %q", f.columns[i])
		}
		s.Values = append(s.Values, v)
	}
	return s, nil
}

// split cuts a line into trimmed cells, appended to cells. Lines without
// quotes, nearly all of them, avoid encoding/csv and its allocations.
func (f *csvFormat) split(s string, cells []string) ([]string, *Error) {
	if strings.IndexByte(s, '"') >= 0 {
		return f.splitQuoted(s)
	}
	for {
		i := strings.Index(s, f.sepStr)
		if i < 0 {
			return append(cells, strings.TrimSpace(s)), nil
		}
		cells = append(cells, strings.TrimSpace(s[:i]))
		s = s[i+len(f.sepStr):]
	}
}

func (f *csvFormat) splitQuoted(s string) ([]string, *Error) {
	r := csv.NewReader(strings.NewReader(s))
	r.Comma = f.sep
	r.FieldsPerRecord = -1
	// With a blank separator (tab) leading-space trimming would eat empty cells.
	r.TrimLeadingSpace = !unicode.IsSpace(f.sep)
	cells, err := r.Read()
	if pe := (*csv.ParseError)(nil); errors.As(err, &pe) {
		return nil, newError(input.ReasonMalformed, "bad quoting at byte %d: %v", pe.Column, pe.Err)
	}
	if err != nil {
		return nil, newError(input.ReasonMalformed, "bad quoting: %v", err)
	}
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
	}
	return cells, nil
}

// lines yields each line of b, numbered from 1, without its "\n" or "\r\n".
func lines(b []byte) func(yield func(int, []byte) bool) {
	return func(yield func(int, []byte) bool) {
		for n := 1; len(b) > 0; n++ {
			line, rest, _ := bytes.Cut(b, []byte{'\n'})
			if !yield(n, bytes.TrimSuffix(line, []byte{'\r'})) {
				return
			}
			b = rest
		}
	}
}
