package input

import (
	"fmt"
	"slices"
	"strings"
)

// setHeader derives the column mapping from a header line. It runs again
// whenever the header is re-read, because a replaced file may order its
// columns differently. A name that appears twice maps to its first column.
func (p *csvParser) setHeader(text []byte) error {
	cells, err := p.split(string(text))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoHeader, err)
	}
	header := slices.Clone(cells)
	tsIdx := -1
	if p.tsName != "" {
		if tsIdx = slices.Index(header, p.tsName); tsIdx < 0 {
			return missingColumn("timestamp column", p.tsName, header)
		}
	}
	fields := p.want
	if len(fields) == 0 {
		fields = valueColumns(header, tsIdx)
	}
	if len(fields) == 0 {
		return fmt.Errorf("%w: csv header has no value column besides %q", ErrMissingColumn, p.tsName)
	}
	idx := make([]int, len(fields))
	for i, f := range fields {
		if idx[i] = slices.Index(header, f); idx[i] < 0 {
			return missingColumn("field", f, header)
		}
	}
	p.header, p.tsIdx, p.idx, p.fields = header, tsIdx, idx, fields
	return nil
}

func valueColumns(header []string, tsIdx int) []string {
	var fields []string
	for i, h := range header {
		if i != tsIdx {
			fields = append(fields, h)
		}
	}
	return fields
}

// missingColumn lists the header so the user can spot a typo or a wrong
// separator (a single column holding "a;b;c").
func missingColumn(what, name string, header []string) error {
	quoted := make([]string, len(header))
	for i, h := range header {
		quoted[i] = quote(h)
	}
	return fmt.Errorf("%w: csv header has no %s %q (columns: %s)",
		ErrMissingColumn, what, name, strings.Join(quoted, ", "))
}
