package input_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
)

// rec is the part of a Record the tables compare; TS is TimestampText.
type rec struct {
	Line   int64
	TS     string
	Values []float64
}

// bad is a BadRecord with its message; a Msg ending in "*" is a prefix.
type bad struct {
	Line   int64
	Reason string
	Msg    string
}

func writeFile(t testing.TB, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func appendFile(t testing.TB, path, content string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
}

func open(t testing.TB, path string, opts input.FileOptions) *input.Reader {
	t.Helper()
	r, err := input.OpenFile(path, opts)
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// readAll calls Next(max) until io.EOF and returns every batch before it.
func readAll(t testing.TB, r *input.Reader, max int) []input.Batch {
	t.Helper()
	batches, _ := readToEnd(t, r, max)
	return batches
}

// readToEnd is readAll that also returns the io.EOF batch, whose Offset
// and Line may have moved past trailing blank lines.
func readToEnd(t testing.TB, r *input.Reader, max int) ([]input.Batch, input.Batch) {
	t.Helper()
	var batches []input.Batch
	for range 1_000_000 {
		b, err := r.Next(max)
		if errors.Is(err, io.EOF) {
			if len(b.Records)+len(b.Bad) != 0 {
				t.Fatalf("io.EOF with %d records and %d bad", len(b.Records), len(b.Bad))
			}
			return batches, b
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		checkTimestamps(t, b.Records)
		batches = append(batches, b)
	}
	t.Fatal("Next never returned io.EOF")
	return nil, input.Batch{}
}

// checkTimestamps asserts that TimestampText means Timestamp, which also
// holds for synthesised ones: their text is the line number.
func checkTimestamps(t testing.TB, recs []input.Record) {
	t.Helper()
	for _, r := range recs {
		want, err := input.ParseTimestamp(r.TimestampText)
		if err != nil || !r.Timestamp.Equal(want) || r.Timestamp.Location() != time.UTC {
			t.Errorf("line %d: Timestamp %v does not match text %q (%v)", r.Line, r.Timestamp, r.TimestampText, err)
		}
	}
}

func flatten(batches []input.Batch) ([]rec, []bad) {
	var recs []rec
	var bads []bad
	for _, b := range batches {
		for _, r := range b.Records {
			recs = append(recs, rec{r.Line, r.TimestampText, r.Values})
		}
		for _, x := range b.Bad {
			bads = append(bads, bad{x.Line, x.Reason, x.Err.Error()})
		}
	}
	return recs, bads
}

func checkRecords(t *testing.T, got, want []rec) {
	t.Helper()
	eq := func(a, b rec) bool { return a.Line == b.Line && a.TS == b.TS && slices.Equal(a.Values, b.Values) }
	if !slices.EqualFunc(got, want, eq) {
		t.Errorf("records:\n got %v\nwant %v", got, want)
	}
}

func checkBad(t *testing.T, got, want []bad) {
	t.Helper()
	eq := func(g, w bad) bool {
		msgOK := g.Msg == w.Msg || strings.HasSuffix(w.Msg, "*") && strings.HasPrefix(g.Msg, strings.TrimSuffix(w.Msg, "*"))
		return g.Line == w.Line && g.Reason == w.Reason && msgOK
	}
	if !slices.EqualFunc(got, want, eq) {
		t.Errorf("bad records:\n got %+v\nwant %+v", got, want)
	}
}
