package input_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
)

// FuzzParseCSVLine feeds arbitrary lines after a fixed header through a
// real Reader; more seeds live in testdata/fuzz/FuzzParseCSVLine.
func FuzzParseCSVLine(f *testing.F) {
	f.Add([]byte("1700000000,1,2\n,,\n\"1700000000\",\"3\"\r\n1700000000,NaN,1e999\n"))
	path := filepath.Join(f.TempDir(), "in.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		content := "ts,a,b\n" + string(data)
		checkReader(t, path, content, input.FileOptions{Format: input.FormatCSV, TimestampField: "ts", MaxLineBytes: 64})
		content = "a;b\n" + string(data)
		checkReader(t, path, content, input.FileOptions{Format: input.FormatCSV, Separator: ';'})
	})
}

// FuzzParseJSONLine does the same for JSON lines.
func FuzzParseJSONLine(f *testing.F) {
	f.Add([]byte(`{"ts":1700000000,"a":1,"b":2}` + "\n" + `{"ts":"2020-01-01T00:00:00Z","a":"x"}` + "\n[]\nnull\n"))
	path := filepath.Join(f.TempDir(), "in.jsonl")
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := input.FileOptions{Format: input.FormatJSONL, TimestampField: "ts", Fields: []string{"a", "b"}, MaxLineBytes: 80}
		checkReader(t, path, string(data), opts)
	})
}

// checkReader asserts what must hold for any input: usable records only,
// every line accounted for once, offsets that reach the end of the file,
// and results that do not depend on batch size or on resuming. It reuses
// path because a fresh temporary directory per input slows fuzzing down.
func checkReader(t *testing.T, path, content string, opts input.FileOptions) {
	must(t, os.WriteFile(path, []byte(content), 0o600))
	r := open(t, path, opts)
	recs, bads := flatten(readAll(t, r, 1000))
	checkInvariants(t, recs, bads, len(r.Fields()))
	batches, end := readToEnd(t, open(t, path, opts), 3)
	recs3, bads3 := flatten(batches)
	checkRecords(t, recs3, recs)
	checkBad(t, bads3, bads)
	if end.Offset != int64(len(content)) || end.Line != countLines(content) {
		t.Errorf("ended at offset %d line %d, want %d %d", end.Offset, end.Line, len(content), countLines(content))
	}
	mid := append(batches, end)[len(batches)/2]
	must(t, r.Resume(mid.Offset, mid.Line))
	resumed, _ := flatten(readAll(t, r, 2))
	checkRecords(t, resumed, after(recs, mid.Line, func(x rec) int64 { return x.Line }))
}

func checkInvariants(t *testing.T, recs []rec, bads []bad, nfields int) {
	reasons := []string{input.ReasonMalformed, input.ReasonNonNumeric, input.ReasonMissingValue,
		input.ReasonNotFinite, input.ReasonBadTimestamp, input.ReasonOversize}
	for _, b := range bads {
		if !slices.Contains(reasons, b.Reason) || !strings.HasPrefix(b.Msg, "line ") {
			t.Errorf("bad record %+v", b)
		}
	}
	for _, r := range recs {
		if len(r.Values) != nfields {
			t.Errorf("line %d: %d values for %d fields", r.Line, len(r.Values), nfields)
		}
		for _, v := range r.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("line %d: value %v", r.Line, v)
			}
		}
	}
}

func countLines(s string) int64 {
	n := int64(strings.Count(s, "\n"))
	if s != "" && !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"2015-02-26 21:42:53", "2015-02-26T21:42:53.5+02:00", "1700000000.5", "1700000000123"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := input.ParseTimestamp(s)
		if err != nil {
			if !errors.Is(err, input.ErrBadTimestamp) {
				t.Fatalf("error %v does not wrap ErrBadTimestamp", err)
			}
			return
		}
		if got.Location() != time.UTC || got.Year() < 0 || got.Year() > 9999 {
			t.Fatalf("ParseTimestamp(%q) = %v", s, got)
		}
		again, err := input.ParseTimestamp(got.Format(time.RFC3339Nano))
		if err != nil || !again.Equal(got) {
			t.Fatalf("round trip of %q: %v, %v", s, again, err)
		}
	})
}
