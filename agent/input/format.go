package input

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Format names an input file's encoding.
type Format string

// The supported formats.
const (
	FormatCSV   Format = "csv"
	FormatJSONL Format = "jsonl"
)

// defaultMaxLineBytes bounds memory per line when FileOptions leaves it 0.
const defaultMaxLineBytes = 1 << 20

// ParseFormat maps "csv" or "jsonl" (also "json" and "ndjson", which mean
// JSON lines) to a Format, ignoring case and surrounding spaces.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "csv":
		return FormatCSV, nil
	case "jsonl", "json", "ndjson":
		return FormatJSONL, nil
	}
	return "", fmt.Errorf("%w %q (valid: csv, jsonl, json, ndjson)", ErrUnknownFormat, s)
}

// FileOptions configures OpenFile.
type FileOptions struct {
	// Format is the file's encoding; it is required.
	Format Format
	// TimestampField is the CSV column or JSON key holding the timestamp.
	// Empty means there is none: a record's timestamp is then
	// time.Unix(line number, 0) in UTC, so replays are deterministic.
	TimestampField string
	// Fields are the value columns or keys, in output order. Empty means,
	// for CSV, every header column except the timestamp; JSONL requires them.
	Fields []string
	// Separator is the CSV field separator; 0 means ','.
	Separator rune
	// Follow treats a last line without '\n' as still being written, for
	// tailing a file that grows.
	Follow bool
	// MaxLineBytes bounds a line's length without its terminator; 0 means
	// 1 MiB. Longer lines are skipped as ReasonOversize without being held
	// in memory whole.
	MaxLineBytes int
}

// normalize fills defaults and rejects options that cannot work, so the
// reader never has to check them again.
func (o FileOptions) normalize() (FileOptions, error) {
	f, err := ParseFormat(string(o.Format))
	if err != nil {
		return o, err
	}
	o.Format = f
	o.Fields = slices.Clone(o.Fields)
	if o.Separator == 0 {
		o.Separator = ','
	}
	if o.MaxLineBytes == 0 {
		o.MaxLineBytes = defaultMaxLineBytes
	}
	switch {
	case o.MaxLineBytes < 0:
		return o, fmt.Errorf("%w: negative MaxLineBytes %d", ErrInvalidOptions, o.MaxLineBytes)
	case f == FormatJSONL && len(o.Fields) == 0:
		return o, fmt.Errorf("%w: jsonl input needs Fields (the keys holding values)", ErrInvalidOptions)
	case f == FormatCSV && !validSeparator(o.Separator):
		return o, fmt.Errorf("%w: csv separator %q cannot be a quote, newline or invalid rune", ErrInvalidOptions, o.Separator)
	}
	return o, nil
}

// validSeparator follows encoding/csv's rule, which the quoted path relies on.
func validSeparator(r rune) bool {
	return r != '"' && r != '\r' && r != '\n' && utf8.ValidRune(r) && r != utf8.RuneError
}
