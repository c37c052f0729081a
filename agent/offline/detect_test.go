package offline_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/offline"
	"github.com/pynomaly/pynomaly/plugins/zscore"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// row returns the values of row i: two bounded oscillations around 20 and
// 5, the first one 50 higher at a spike.
func row(i int, spike bool) (ts string, temp, pres float64) {
	temp, pres = 20+math.Sin(float64(i)*0.7), 5+math.Cos(float64(i)*1.3)
	if spike {
		temp += 50
	}
	return t0.Add(time.Duration(i) * time.Second).Format(time.RFC3339), temp, pres
}

// writeData writes n rows in the given format ("csv", "ssv" for ';'-separated
// CSV, "jsonl") with spikes at the given rows, and returns the path.
func writeData(t *testing.T, format string, n int, spikes []int) string {
	t.Helper()
	var b strings.Builder
	switch format {
	case "csv":
		b.WriteString("timestamp,temperature,pressure\n")
	case "ssv":
		b.WriteString("timestamp;temperature;pressure\n")
	}
	for i := range n {
		ts, temp, pres := row(i, slices.Contains(spikes, i))
		switch format {
		case "csv":
			fmt.Fprintf(&b, "%s,%v,%v\n", ts, temp, pres)
		case "ssv":
			fmt.Fprintf(&b, "%s;%v;%v\n", ts, temp, pres)
		case "jsonl":
			fmt.Fprintf(&b, `{"ts":%q,"temperature":%v,"pressure":%v}`+"\n", ts, temp, pres)
		}
	}
	path := filepath.Join(t.TempDir(), "data."+format)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func factory(t *testing.T) *zscore.Factory {
	t.Helper()
	f, err := zscore.New(zscore.Options{Window: 64, MinSamples: 16})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// readOutput parses Detect's output as CSV and returns the header, the
// indexes of rows marked anomalous and the number of rows.
func readOutput(t *testing.T, out []byte) (header []string, anomalies []int, rows int) {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("output is not valid CSV: %v\n%s", err, out)
	}
	for i, r := range recs[1:] {
		score, err := strconv.ParseFloat(r[len(r)-2], 64)
		if err != nil || score < 0 || score > 1 {
			t.Errorf("row %d: score %q, want a number in [0, 1]", i, r[len(r)-2])
		}
		if r[len(r)-1] == "true" {
			anomalies = append(anomalies, i)
		} else if r[len(r)-1] != "false" {
			t.Errorf("row %d: anomaly %q, want true or false", i, r[len(r)-1])
		}
	}
	return recs[0], anomalies, len(recs) - 1
}

func TestDetect(t *testing.T) {
	spikes := []int{40, 90, 150}
	tests := []struct {
		name       string
		format     string
		opts       offline.Options
		wantHeader string
		wantSpikes []int
	}{
		{name: "csv, every column", format: "csv", opts: offline.Options{Format: input.FormatCSV, TimestampField: "timestamp"},
			wantHeader: "timestamp,temperature,pressure,score,anomaly", wantSpikes: spikes},
		{name: "csv, the quiet column only", format: "csv", opts: offline.Options{Format: input.FormatCSV, TimestampField: "timestamp", Fields: []string{"pressure"}},
			wantHeader: "timestamp,pressure,score,anomaly"},
		{name: "semicolons", format: "ssv", opts: offline.Options{Format: input.FormatCSV, TimestampField: "timestamp", Separator: ';'},
			wantHeader: "timestamp,temperature,pressure,score,anomaly", wantSpikes: spikes},
		{name: "jsonl", format: "jsonl", opts: offline.Options{Format: input.FormatJSONL, TimestampField: "ts", Fields: []string{"pressure", "temperature"}},
			wantHeader: "timestamp,pressure,temperature,score,anomaly", wantSpikes: spikes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Path, tc.opts.Factory, tc.opts.Threshold = writeData(t, tc.format, 200, spikes), factory(t), 0.999
			var out bytes.Buffer
			sum, err := offline.Detect(tc.opts, &out)
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			header, anomalies, rows := readOutput(t, out.Bytes())
			if got := strings.Join(header, ","); got != tc.wantHeader {
				t.Errorf("header %q, want %q", got, tc.wantHeader)
			}
			if rows != 200 || sum.Rows != 200 || len(sum.Bad) != 0 {
				t.Errorf("%d output rows, Summary %+v; want 200 rows, none bad", rows, sum)
			}
			if !slices.Equal(anomalies, tc.wantSpikes) || sum.Anomalies != int64(len(tc.wantSpikes)) {
				t.Errorf("anomalies at %v (Summary %d), want %v", anomalies, sum.Anomalies, tc.wantSpikes)
			}
		})
	}
}

func TestDetectSkipsBadRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.csv")
	data := "timestamp,temperature\n" +
		"2025-01-01T00:00:00Z,1\n" +
		"2025-01-01T00:00:01Z,1,2\n" + // line 3: one field too many
		"2025-01-01T00:00:02Z,warm\n" + // line 4
		"2025-01-01T00:00:03Z,\n" + // line 5
		"yesterday,2\n" + // line 6
		"2025-01-01T00:00:04Z,3\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sum, err := offline.Detect(offline.Options{Path: path, Format: input.FormatCSV, TimestampField: "timestamp", Factory: factory(t), Threshold: 0.999}, &out)
	if err != nil {
		t.Fatalf("Detect: %v", err)
	}
	var got []string
	for _, b := range sum.Bad {
		got = append(got, fmt.Sprintf("%d:%s", b.Line, b.Reason))
	}
	want := []string{"3:malformed", "4:non_numeric", "5:missing_value", "6:bad_timestamp"}
	if !slices.Equal(got, want) {
		t.Errorf("bad lines %v, want %v", got, want)
	}
	if _, _, rows := readOutput(t, out.Bytes()); rows != 2 || sum.Rows != 2 {
		t.Errorf("%d rows written, Summary.Rows %d; want 2", rows, sum.Rows)
	}
}

// TestDetectQuotesOutput: column names and timestamps that need quoting
// come out as valid CSV that reads back unchanged.
func TestDetectQuotesOutput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.csv")
	data := "timestamp,\"temp \"\"C\"\"\",\"a,b\"\n\"2025-01-01 00:00:00\",1,2\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := offline.Detect(offline.Options{Path: path, Format: input.FormatCSV, TimestampField: "timestamp", Factory: factory(t), Threshold: 0.999}, &out); err != nil {
		t.Fatalf("Detect: %v", err)
	}
	header, _, _ := readOutput(t, out.Bytes())
	if want := []string{"timestamp", `temp "C"`, "a,b", "score", "anomaly"}; !slices.Equal(header, want) {
		t.Errorf("header %q, want %q", header, want)
	}
}

func TestDetectOpenErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.csv")
	_, err := offline.Detect(offline.Options{Path: missing, Format: input.FormatCSV, Factory: factory(t), Threshold: 0.999}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Detect(missing) = %v, want an error naming %s", err, missing)
	}
}
