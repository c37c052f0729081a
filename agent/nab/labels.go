package nab

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Span is a labelled window as NAB's labels give it: its first and last
// timestamps, both included.
type Span struct{ Start, End time.Time }

// spanLayout reads NAB's "2014-04-10 07:15:00.000000"; time.Parse takes
// the fractional seconds the layout leaves out. Times are UTC, as the
// data's are read.
const spanLayout = "2006-01-02 15:04:05"

// ReadWindows reads NAB's labels/combined_windows.json: each data file's
// windows, keyed by the file's path under the data folder with forward
// slashes ("realKnownCause/nyc_taxi.csv"). A file without anomalies has
// none.
func ReadWindows(path string) (map[string][]Span, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read windows: %w", err)
	}
	var doc map[string][][]string
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("windows %s: %w (want {\"folder/file.csv\": [[start, end], ...]})", path, err)
	}
	out := make(map[string][]Span, len(doc))
	for name, pairs := range doc {
		for i, pair := range pairs {
			s, err := parseSpan(pair)
			if err != nil {
				return nil, fmt.Errorf("windows %s: %s: window %d: %w", path, name, i, err)
			}
			out[name] = append(out[name], s)
		}
		if out[name] == nil {
			out[name] = []Span{}
		}
	}
	return out, nil
}

func parseSpan(pair []string) (Span, error) {
	if len(pair) != 2 {
		return Span{}, fmt.Errorf("%d timestamps, want [start, end]", len(pair))
	}
	start, err := time.Parse(spanLayout, pair[0])
	if err != nil {
		return Span{}, fmt.Errorf("start: %w", err)
	}
	end, err := time.Parse(spanLayout, pair[1])
	if err != nil {
		return Span{}, fmt.Errorf("end: %w", err)
	}
	if end.Before(start) {
		return Span{}, fmt.Errorf("ends at %s, before it starts at %s", pair[1], pair[0])
	}
	return Span{Start: start, End: end}, nil
}

// Locate turns spans, in order, into the row windows of a file whose rows
// have the timestamps ts. As in NAB, a window's first and last timestamps
// must be rows' timestamps (one that is not means labels made for other
// data, or read in another time zone), and a window starts at the first
// row holding its start after the previous window, and ends at the first
// row from there holding its end: NAB's data repeat a few timestamps where
// clocks went back.
func Locate(ts []time.Time, spans []Span) ([]Window, error) {
	out := make([]Window, len(spans))
	from := 0
	for i, s := range spans {
		start := index(ts, s.Start, from)
		if start < 0 {
			return nil, fmt.Errorf("window %d: start %s is no row's timestamp after the previous window", i, s.Start.Format(spanLayout))
		}
		end := index(ts, s.End, start)
		if end < 0 {
			return nil, fmt.Errorf("window %d: end %s is no row's timestamp after its start", i, s.End.Format(spanLayout))
		}
		out[i], from = Window{Start: start, End: end}, end+1
	}
	return out, nil
}

// index returns the first index from from on where ts holds t, or −1.
func index(ts []time.Time, t time.Time, from int) int {
	for i := from; i < len(ts); i++ {
		if ts[i].Equal(t) {
			return i
		}
	}
	return -1
}
