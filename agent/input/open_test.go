package input_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/input"
)

func TestOpenFileErrors(t *testing.T) {
	csv := input.FileOptions{Format: input.FormatCSV, TimestampField: "timestamp"}
	tests := []struct {
		name    string
		content string // "" with missing set means no file at all
		missing bool
		opts    input.FileOptions
		wantIs  error
		wantMsg []string
	}{
		{name: "missing file", missing: true, opts: csv, wantIs: fs.ErrNotExist, wantMsg: []string{"nope.csv"}},
		{name: "no timestamp column", content: "time,value\n1,2\n", opts: csv, wantIs: input.ErrMissingColumn,
			wantMsg: []string{`timestamp column "timestamp"`, `(columns: "time", "value")`}},
		{name: "no such field", content: "timestamp;value\n", wantIs: input.ErrMissingColumn,
			opts:    input.FileOptions{Format: input.FormatCSV, Separator: ';', Fields: []string{"value", "temp"}},
			wantMsg: []string{`field "temp"`, `(columns: "timestamp", "value")`}},
		{name: "wrong separator shows in columns", content: "timestamp;value\n", opts: csv, wantIs: input.ErrMissingColumn,
			wantMsg: []string{`(columns: "timestamp;value")`}},
		{name: "only a timestamp column", content: "timestamp\n1\n", opts: csv, wantIs: input.ErrMissingColumn},
		{name: "empty file", opts: csv, wantIs: input.ErrNoHeader},
		{name: "blank file", content: "\n \r\n", opts: csv, wantIs: input.ErrNoHeader},
		{name: "header badly quoted", content: "\"timestamp,value\n", opts: csv, wantIs: input.ErrNoHeader},
		{name: "header over MaxLineBytes", content: "timestamp,value\n", wantIs: input.ErrNoHeader,
			opts: input.FileOptions{Format: input.FormatCSV, MaxLineBytes: 8}},
		{name: "jsonl without fields", opts: input.FileOptions{Format: input.FormatJSONL}, wantIs: input.ErrInvalidOptions},
		{name: "unknown format", opts: input.FileOptions{Format: "xml"}, wantIs: input.ErrUnknownFormat,
			wantMsg: []string{`"xml"`, "csv, jsonl"}},
		{name: "quote separator", opts: input.FileOptions{Format: input.FormatCSV, Separator: '"'}, wantIs: input.ErrInvalidOptions},
		{name: "negative max line", opts: input.FileOptions{Format: input.FormatCSV, MaxLineBytes: -1}, wantIs: input.ErrInvalidOptions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "nope.csv")
			if !tc.missing {
				path = writeFile(t, tc.content)
			}
			r, err := input.OpenFile(path, tc.opts)
			if err == nil {
				r.Close()
				t.Fatal("OpenFile succeeded")
			}
			if !errors.Is(err, tc.wantIs) {
				t.Errorf("error %v is not %v", err, tc.wantIs)
			}
			for _, m := range tc.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q lacks %q", err, m)
				}
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want input.Format
		err  bool
	}{
		{"csv", input.FormatCSV, false},
		{" CSV ", input.FormatCSV, false},
		{"jsonl", input.FormatJSONL, false},
		{"json", input.FormatJSONL, false},
		{"ndjson", input.FormatJSONL, false},
		{"", "", true},
		{"tsv", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := input.ParseFormat(tc.in)
			if got != tc.want || (err != nil) != tc.err {
				t.Errorf("ParseFormat(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
			}
			if err != nil && (!errors.Is(err, input.ErrUnknownFormat) || !strings.Contains(err.Error(), "csv, jsonl")) {
				t.Errorf("error %q should wrap ErrUnknownFormat and list the formats", err)
			}
		})
	}
}
