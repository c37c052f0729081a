package input_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/input"
)

func TestSeekEnd(t *testing.T) {
	csv := input.FileOptions{Format: input.FormatCSV, TimestampField: "ts", Follow: true}
	tests := []struct {
		name     string
		opts     input.FileOptions
		content  string
		appended string
		want     []rec
	}{
		{name: "only appended lines are read, numbered as in the file", opts: csv,
			content: "ts,a\n1700000001,1\n1700000002,2\n", appended: "1700000003,3\n",
			want: []rec{{4, "1700000003", []float64{3}}}},
		{name: "a final line being written is read once complete", opts: csv,
			content: "ts,a\n1700000001,1\n17000", appended: "00002,2\n",
			want: []rec{{3, "1700000002", []float64{2}}}},
		{name: "header not yet complete is read first", opts: csv,
			content: "ts,", appended: "a\n1700000001,1\n",
			want: []rec{{2, "1700000001", []float64{1}}}},
		{name: "empty file", opts: csv, appended: "ts,a\n1700000001,1\n",
			want: []rec{{2, "1700000001", []float64{1}}}},
		{name: "blank lines count", opts: csv,
			content: "\nts,a\n\n1700000001,1\n\n", appended: "1700000002,2\n",
			want: []rec{{6, "1700000002", []float64{2}}}},
		{name: "jsonl without timestamps keeps line-number time",
			opts:    input.FileOptions{Format: input.FormatJSONL, Fields: []string{"v"}, Follow: true},
			content: strings.Repeat(`{"v": 1}`+"\n", 70_000), appended: `{"v": 2}` + "\n",
			want: []rec{{70_001, "70001", []float64{2}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.content)
			r := open(t, path, tc.opts)
			offset, line, err := r.SeekEnd()
			if err != nil {
				t.Fatalf("SeekEnd: %v", err)
			}
			if end := strings.LastIndexByte(tc.content, '\n') + 1; offset != int64(end) || line != int64(strings.Count(tc.content, "\n")) {
				t.Errorf("SeekEnd = offset %d line %d, want %d %d", offset, line, end, strings.Count(tc.content, "\n"))
			}
			appendFile(t, path, tc.appended)
			recs, bads := flatten(readAll(t, r, 100))
			checkRecords(t, recs, tc.want)
			checkBad(t, bads, nil)
		})
	}
}

func TestFingerprint(t *testing.T) {
	head := "ts,a\n"
	path := writeFile(t, head+"1700000001,1\n1700000002,2\n")
	r := open(t, path, input.FileOptions{Format: input.FormatCSV, TimestampField: "ts", Follow: true})
	b := readAll(t, r, 100)
	end := b[len(b)-1].Offset
	before, err := r.Fingerprint(end)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := r.Fingerprint(end); again != before {
		t.Errorf("fingerprint changed without the file changing: %x then %x", before, again)
	}
	if atHeader, _ := r.Fingerprint(int64(len(head))); atHeader == before {
		t.Error("fingerprints at different offsets match")
	}
	if _, err := r.Fingerprint(0); err != nil {
		t.Errorf("fingerprint at offset 0: %v", err)
	}

	// The same header and row count, other data: what a new file in a
	// reused inode looks like.
	must(t, os.WriteFile(path, []byte(head+"1700000008,8\n1700000009,9\n"), 0o600))
	if after, _ := r.Fingerprint(end); after == before {
		t.Error("a rewritten file has the old file's fingerprint")
	}
	if _, err := r.Fingerprint(end + 10); err == nil {
		t.Error("fingerprint beyond the end of the file: no error")
	}
	r.Close()
	if _, err := r.Fingerprint(end); !errors.Is(err, input.ErrClosed) {
		t.Errorf("fingerprint after Close: %v, want ErrClosed", err)
	}
}
