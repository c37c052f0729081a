package input_test

import (
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/input"
)

// TestFollow runs its steps in order against one growing file, like tail -f.
func TestFollow(t *testing.T) {
	path := writeFile(t, "")
	r := open(t, path, input.FileOptions{Format: input.FormatCSV, TimestampField: "ts", Follow: true})
	steps := []struct {
		name       string
		append     string
		truncate   bool
		wantLines  []int64
		wantFields []string
		wantOffset int64
		wantErr    error
	}{
		{name: "empty file", wantErr: io.EOF},
		{name: "partial header", append: "ts,a", wantErr: io.EOF},
		{name: "header completed", append: "\n", wantFields: []string{"a"}, wantOffset: 5, wantErr: io.EOF},
		{name: "partial line not returned", append: "1700000001,1", wantFields: []string{"a"}, wantOffset: 5, wantErr: io.EOF},
		{name: "partial line completed", append: "\n1700000002,2\n1700000003,", wantLines: []int64{2, 3},
			wantFields: []string{"a"}, wantOffset: 31},
		{name: "nothing new", wantFields: []string{"a"}, wantOffset: 31, wantErr: io.EOF},
		{name: "completed once", append: "3\n", wantLines: []int64{4}, wantFields: []string{"a"}, wantOffset: 44},
		{name: "appended later", append: "\n1700000005,5\n", wantLines: []int64{6}, wantFields: []string{"a"}, wantOffset: 58},
		{name: "truncated", truncate: true, wantFields: []string{"a"}, wantOffset: 58, wantErr: input.ErrTruncated},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.append != "" {
				appendFile(t, path, st.append)
			}
			if st.truncate {
				must(t, os.Truncate(path, 0))
			}
			b, err := r.Next(10)
			if !errors.Is(err, st.wantErr) || err != nil && st.wantErr == nil {
				t.Fatalf("Next error %v, want %v", err, st.wantErr)
			}
			var lines []int64
			for _, x := range b.Records {
				lines = append(lines, x.Line)
			}
			if !slices.Equal(lines, st.wantLines) || len(b.Bad) != 0 || b.Offset != st.wantOffset ||
				!slices.Equal(r.Fields(), st.wantFields) {
				t.Errorf("got lines %v bad %v offset %d fields %q, want %v none %d %q",
					lines, b.Bad, b.Offset, r.Fields(), st.wantLines, st.wantOffset, st.wantFields)
			}
		})
	}
}

func TestOversize(t *testing.T) {
	huge := "1700000000," + strings.Repeat("9", 300_000) // spans several read buffers
	long := "1700000000," + strings.Repeat("0", 100_000) + "42"
	tests := []struct {
		name    string
		content string
		max     int
		follow  bool
		want    []rec
		wantBad []bad
	}{
		{
			name:    "skipped and reading goes on",
			content: "ts,a\n" + huge + "\n1700000001,1\n1700000000,1234567890\r\n1700000000,123456789\r\n",
			max:     20,
			want:    []rec{{3, "1700000001", []float64{1}}, {5, "1700000000", []float64{123456789}}},
			wantBad: []bad{{2, input.ReasonOversize, "line 2: longer than 20 bytes"},
				{4, input.ReasonOversize, "line 4: longer than 20 bytes"}},
		},
		{
			name:    "longer than the read buffer but within the limit",
			content: "ts,a\n" + long + "\n1700000001,1\n",
			want:    []rec{{2, "1700000000", []float64{42}}, {3, "1700000001", []float64{1}}},
		},
		{
			name:    "exactly the limit plus CRLF across read buffers",
			content: "ts,a\n" + long + "\r\n" + long + "0\r\n",
			max:     len(long),
			want:    []rec{{2, "1700000000", []float64{42}}},
			wantBad: []bad{{3, input.ReasonOversize, "line 3: longer than 100013 bytes"}},
		},
		{
			name:    "incomplete oversize line waits in follow mode",
			content: "ts,a\n1700000001,1\n" + huge,
			max:     20,
			follow:  true,
			want:    []rec{{2, "1700000001", []float64{1}}},
		},
		{
			name:    "last oversize line consumed without follow",
			content: "ts,a\n1700000001,1\n" + huge,
			max:     20,
			want:    []rec{{2, "1700000001", []float64{1}}},
			wantBad: []bad{{3, input.ReasonOversize, "line 3: longer than 20 bytes"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := input.FileOptions{Format: input.FormatCSV, TimestampField: "ts", MaxLineBytes: tc.max, Follow: tc.follow}
			r := open(t, writeFile(t, tc.content), opts)
			batches := readAll(t, r, 1)
			recs, bads := flatten(batches)
			checkRecords(t, recs, tc.want)
			checkBad(t, bads, tc.wantBad)
			if last := batches[len(batches)-1]; !tc.follow && last.Offset != int64(len(tc.content)) {
				t.Errorf("final offset %d, want file size %d", last.Offset, len(tc.content))
			}
		})
	}
}
