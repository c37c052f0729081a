package input

import (
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// csvParser turns CSV lines into records using the column mapping that
// setHeader derives from the header line.
type csvParser struct {
	sep    rune
	sepStr string
	tsName string   // "" when timestamps are synthesised
	want   []string // FileOptions.Fields; empty means all but the timestamp
	header []string
	tsIdx  int   // index of the timestamp column, -1 for none
	idx    []int // header index of each field, in output order
	fields []string
	cells  []string // reused by split
}

func newCSVParser(o FileOptions) *csvParser {
	return &csvParser{sep: o.Separator, sepStr: string(o.Separator), tsName: o.TimestampField,
		want: o.Fields, tsIdx: -1}
}

func (p *csvParser) parse(line int64, text []byte) (Record, *BadRecord) {
	cells, err := p.split(string(text))
	if err != nil {
		return Record{}, malformed(line, "%v", err)
	}
	if len(cells) != len(p.header) {
		return Record{}, malformed(line, "%d fields, header has %d columns", len(cells), len(p.header))
	}
	rec := Record{Line: line}
	if p.tsIdx < 0 {
		rec.Timestamp, rec.TimestampText = syntheticTime(line)
	} else {
		rec.TimestampText = cells[p.tsIdx]
		var ce *cellError
		if rec.Timestamp, ce = parseTime(rec.TimestampText); ce != nil {
			return Record{}, ce.bad(line, p.column(p.tsIdx))
		}
	}
	rec.Values = make([]float64, len(p.idx))
	for i, c := range p.idx {
		var ce *cellError
		if rec.Values[i], ce = parseNumber(cells[c]); ce != nil {
			return Record{}, ce.bad(line, p.column(c))
		}
	}
	return rec, nil
}

func (p *csvParser) column(i int) string {
	return fmt.Sprintf("column %q", p.header[i])
}

// split cuts a line into trimmed cells. Lines without quotes, nearly all of
// them, avoid encoding/csv and its allocations. The result is reused.
func (p *csvParser) split(s string) ([]string, error) {
	if strings.IndexByte(s, '"') >= 0 {
		return p.splitQuoted(s)
	}
	p.cells = p.cells[:0]
	for {
		i := strings.Index(s, p.sepStr)
		if i < 0 {
			break
		}
		p.cells = append(p.cells, strings.TrimSpace(s[:i]))
		s = s[i+len(p.sepStr):]
	}
	p.cells = append(p.cells, strings.TrimSpace(s))
	return p.cells, nil
}

func (p *csvParser) splitQuoted(s string) ([]string, error) {
	r := csv.NewReader(strings.NewReader(s))
	r.Comma = p.sep
	r.FieldsPerRecord = -1
	// With a blank separator (tab) leading-space trimming would eat empty cells.
	r.TrimLeadingSpace = !unicode.IsSpace(p.sep)
	cells, err := r.Read()
	if pe := (*csv.ParseError)(nil); errors.As(err, &pe) {
		return nil, fmt.Errorf("bad quoting at byte %d: %v", pe.Column, pe.Err)
	}
	if err != nil {
		return nil, fmt.Errorf("bad quoting: %v", err)
	}
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
	}
	return cells, nil
}
