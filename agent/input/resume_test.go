package input_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"testing"

	"github.com/pynomaly/pynomaly/agent/input"
)

func TestNextBatching(t *testing.T) {
	// Header is 5 bytes, every data line 13.
	content := "ts,a\n1700000001,1\n1700000002,2\n1700000003,x\n1700000004,4\n1700000005,5\n"
	r := open(t, writeFile(t, content), input.FileOptions{Format: input.FormatCSV, TimestampField: "ts"})
	tests := []struct {
		name       string
		wantLines  []int64 // records and bad records, in order
		wantOffset int64
		wantLine   int64
		wantEOF    bool
	}{
		{name: "first", wantLines: []int64{2, 3}, wantOffset: 31, wantLine: 3},
		{name: "second with a bad line", wantLines: []int64{4, 5}, wantOffset: 57, wantLine: 5},
		{name: "last", wantLines: []int64{6}, wantOffset: 70, wantLine: 6},
		{name: "eof", wantOffset: 70, wantLine: 6, wantEOF: true},
		{name: "eof again", wantOffset: 70, wantLine: 6, wantEOF: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := r.Next(2)
			if gotEOF := errors.Is(err, io.EOF); gotEOF != tc.wantEOF || err != nil && !gotEOF {
				t.Fatalf("Next error %v, want EOF %v", err, tc.wantEOF)
			}
			var lines []int64
			for _, x := range b.Records {
				lines = append(lines, x.Line)
			}
			for _, x := range b.Bad {
				lines = append(lines, x.Line)
			}
			slices.Sort(lines)
			if !slices.Equal(lines, tc.wantLines) || b.Offset != tc.wantOffset || b.Line != tc.wantLine {
				t.Errorf("got lines %v offset %d line %d, want %v %d %d",
					lines, b.Offset, b.Line, tc.wantLines, tc.wantOffset, tc.wantLine)
			}
		})
	}
}

func TestResumeResumes(t *testing.T) {
	csv := "\xef\xbb\xbf\nts;a\r\n1700000001;1\r\n\n1700000002;oops\n1700000003;3\n" +
		"1700000004;4;4\n   \n1700000005;5\n1700000006;6"
	jsonl := "{\"ts\":1700000001,\"a\":1}\n\n[]\n{\"ts\":1700000003,\"a\":3}\r\n{\"a\":4}\n{\"ts\":1700000005,\"a\":5}\n"
	tests := []struct {
		name    string
		content string
		opts    input.FileOptions
	}{
		{"csv", csv, input.FileOptions{Format: input.FormatCSV, TimestampField: "ts", Separator: ';'}},
		{"jsonl", jsonl, input.FileOptions{Format: input.FormatJSONL, TimestampField: "ts", Fields: []string{"a"}}},
	}
	for _, tc := range tests {
		for _, max := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("%s/max=%d", tc.name, max), func(t *testing.T) {
				path := writeFile(t, tc.content)
				wantRecs, wantBad := flatten(readAll(t, open(t, path, tc.opts), 100))
				checkpoints := append([]input.Batch{{}}, readAll(t, open(t, path, tc.opts), max)...)
				resumed := open(t, path, tc.opts)
				for _, cp := range checkpoints {
					if err := resumed.Resume(cp.Offset, cp.Line); err != nil {
						t.Fatalf("Resume(%d, %d): %v", cp.Offset, cp.Line, err)
					}
					// Seek(0, 0) first leaves the header pending; the next Resume must read it.
					fresh := open(t, path, tc.opts)
					must(t, fresh.Resume(0, 0))
					if err := fresh.Resume(cp.Offset, cp.Line); err != nil {
						t.Fatalf("Resume(%d, %d): %v", cp.Offset, cp.Line, err)
					}
					for _, r := range []*input.Reader{resumed, fresh} {
						recs, bads := flatten(readAll(t, r, max))
						checkRecords(t, recs, after(wantRecs, cp.Line, func(x rec) int64 { return x.Line }))
						checkBad(t, bads, after(wantBad, cp.Line, func(x bad) int64 { return x.Line }))
					}
				}
			})
		}
	}
}

// after returns the items past line, which is what a resumed reader must return.
func after[T any](items []T, line int64, lineOf func(T) int64) []T {
	var out []T
	for _, x := range items {
		if lineOf(x) > line {
			out = append(out, x)
		}
	}
	return out
}

func TestResumeErrors(t *testing.T) {
	content := "ts,a\n1700000001,1\n"
	tests := []struct {
		name   string
		offset int64
		change func(t *testing.T, path string) // applied to the file before Resume
		wantIs error
	}{
		{name: "beyond size", offset: 100, wantIs: input.ErrTruncated},
		{name: "truncated file", offset: 18, wantIs: input.ErrTruncated,
			change: func(t *testing.T, path string) { must(t, os.Truncate(path, 10)) }},
		{name: "mid line", offset: 7, wantIs: input.ErrTruncated},
		{name: "header replaced", offset: 5, wantIs: input.ErrMissingColumn,
			change: func(t *testing.T, path string) { must(t, os.WriteFile(path, []byte("xx,y\n1,2\n"), 0o600)) }},
		{name: "closed", offset: 0, wantIs: input.ErrClosed},
		{name: "negative", offset: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, content)
			r := open(t, path, input.FileOptions{Format: input.FormatCSV, TimestampField: "ts"})
			if tc.change != nil {
				tc.change(t, path)
			}
			if tc.wantIs == input.ErrClosed {
				r.Close()
			}
			err := r.Resume(tc.offset, 1)
			if err == nil || tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("Resume(%d) = %v, want %v", tc.offset, err, tc.wantIs)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
