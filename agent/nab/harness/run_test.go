package harness_test

import (
	"bytes"
	"encoding/csv"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/detectors"
	"github.com/pynomaly/pynomaly/agent/nab/harness"
)

// ewmaPipeline alerts at scores of 0.9999 and more.
func ewmaPipeline() harness.Pipeline {
	p := harness.DefaultPipeline()
	p.Detector = config.Detector{Type: "ewma"}
	p.Decision.Threshold = 0.9999
	return p
}

// TestRun: a spike inside a window, on the window's first row, is a hit
// at the optimised threshold and raises an alert; the results are in NAB's
// layout with the rows' scores and labels.
func TestRun(t *testing.T) {
	dir := writeCorpus(t, map[string]string{
		"a/spiky.csv": wavyCSV(1000, 500),
		"b/calm.csv":  wavyCSV(600),
	}, `{"a/spiky.csv": [`+window(500, 550)+`], "b/calm.csv": []}`)
	out := t.TempDir()
	rep, err := harness.Run(t.Context(), harness.Options{Data: dir, Out: out, Pipeline: ewmaPipeline(), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 2 || rep.Rows != 1600 || rep.Windows != 1 || rep.Detector != "ewma" || rep.Stream <= 0 {
		t.Errorf("report %+v", rep)
	}
	for i, o := range rep.Optimised {
		if o.Score != 100 || o.Hit != 1 || o.FP != 0 {
			t.Errorf("%s: optimised %+v, want 100 (the spike alone on the window's first row)", o.Profile, o)
		}
		if f := rep.LabelFree[i]; f.Hit != 1 || rep.Alerts < 1 {
			t.Errorf("%s: label-free %+v with %d alerts, want the window hit", f.Profile, f, rep.Alerts)
		}
	}
	if len(rep.Halves) != 1 || rep.Halves[0].Name != "B" || rep.Halves[0].Files != 2 || rep.Halves[0].Optimised[0].Score != 100 {
		t.Errorf("halves %+v, want B alone (no folder of split A) scoring 100", rep.Halves)
	}
	rows := readResults(t, filepath.Join(out, "ewma", "a", "ewma_spiky.csv"))
	if len(rows) != 1001 || strings.Join(rows[0], ",") != "timestamp,value,anomaly_score,label" {
		t.Fatalf("results: %d lines, header %v", len(rows), rows[0])
	}
	for i, r := range rows[1:] {
		want := "0"
		if i >= 500 && i <= 550 {
			want = "1"
		}
		if r[0] != stamp(i) || r[3] != want {
			t.Errorf("row %d: %v, want timestamp %s, label %s", i, r, stamp(i), want)
		}
	}
	if s, _ := strconv.ParseFloat(rows[501][2], 64); s < 0.9999 {
		t.Errorf("spike row scored %v", s)
	}
}

// TestRunScoresAsTheDetector: the scores written are the detector's own,
// row for row, as a fresh instance of it gives them.
func TestRunScoresAsTheDetector(t *testing.T) {
	dir := writeCorpus(t, map[string]string{"a/x.csv": wavyCSV(1500, 700, 701)}, `{"a/x.csv": [`+window(690, 720)+`]}`)
	out := t.TempDir()
	if _, err := harness.Run(t.Context(), harness.Options{Data: dir, Out: out, Pipeline: ewmaPipeline()}); err != nil {
		t.Fatal(err)
	}
	f, err := detectors.Build("ewma", nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.New(1)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range readResults(t, filepath.Join(out, "ewma", "a", "ewma_x.csv"))[1:] {
		v, _ := strconv.ParseFloat(r[1], 64)
		want, err := d.Score([]float64{v})
		if got, _ := strconv.ParseFloat(r[2], 64); err != nil || got != want {
			t.Fatalf("row %d: wrote %v, the detector scores %v (%v)", i, got, want, err)
		}
	}
}

// TestRunSplit: each half of the folders is scored on its own windows at
// its own thresholds, so the half whose spike lies outside its window
// scores below 100 while the other, hit on its window's first row, scores
// 100; a half with no window is left out.
func TestRunSplit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		files  map[string]string
		labels string
		want   map[string]bool // half: whether it scores 100 on the standard profile
	}{
		{name: "both halves", files: map[string]string{
			"realKnownCause/hit.csv": wavyCSV(1000, 500), "realTweets/missed.csv": wavyCSV(1000, 300),
		}, labels: `{"realKnownCause/hit.csv": [` + window(500, 550) + `], "realTweets/missed.csv": [` + window(700, 750) + `]}`,
			want: map[string]bool{"A": true, "B": false}},
		{name: "no window in B", files: map[string]string{
			"realAdExchange/hit.csv": wavyCSV(1000, 500), "artificialNoAnomaly/calm.csv": wavyCSV(800), "realTraffic/calm.csv": wavyCSV(800),
		}, labels: `{"realAdExchange/hit.csv": [` + window(500, 550) + `], "artificialNoAnomaly/calm.csv": [], "realTraffic/calm.csv": []}`,
			want: map[string]bool{"A": true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeCorpus(t, tc.files, tc.labels)
			rep, err := harness.Run(t.Context(), harness.Options{Data: dir, Pipeline: ewmaPipeline()})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, h := range rep.Halves {
				got[h.Name] = h.Optimised[0].Score == 100
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("halves %+v: perfect %v, want %v", rep.Halves, got, tc.want)
			}
		})
	}
}

func TestRunBadInput(t *testing.T) {
	good := wavyCSV(300)
	for _, tc := range []struct {
		name          string
		files         map[string]string
		windows, want string
		detector      string
	}{
		{name: "malformed row", files: map[string]string{"a/x.csv": good + "2014-04-02 01:00:00,1,2\n"}, windows: `{"a/x.csv": []}`,
			want: "a/x.csv: " + "line 302"},
		{name: "non-numeric value", files: map[string]string{"a/x.csv": strings.Replace(good, "\n"+stamp(7)+",", "\n"+stamp(7)+",x", 1)}, windows: `{"a/x.csv": []}`,
			want: "line 9"},
		{name: "unlabelled file", files: map[string]string{"a/x.csv": good, "a/y.csv": good}, windows: `{"a/x.csv": []}`,
			want: "data file a/y.csv has no entry in labels/combined_windows.json"},
		{name: "labels for a missing file", files: map[string]string{"a/x.csv": good}, windows: `{"a/x.csv": [], "a/z.csv": []}`,
			want: "labels/combined_windows.json labels a/z.csv, which is not under data/"},
		{name: "window off the rows", files: map[string]string{"a/x.csv": good}, windows: `{"a/x.csv": [["2015-01-01 00:00:00", "2015-01-02 00:00:00"]]}`,
			want: "a/x.csv: window 0: start 2015-01-01 00:00:00 is no row's timestamp"},
		{name: "bad windows JSON", files: map[string]string{"a/x.csv": good}, windows: `[1, 2]`,
			want: "combined_windows.json: json: cannot unmarshal"},
		{name: "unknown detector", files: map[string]string{"a/x.csv": good}, windows: `{"a/x.csv": []}`, detector: "nope",
			want: `unknown detector "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ewmaPipeline()
			if tc.detector != "" {
				p.Detector.Type = tc.detector
			}
			dir := writeCorpus(t, tc.files, tc.windows)
			_, err := harness.Run(t.Context(), harness.Options{Data: dir, Out: t.TempDir(), Pipeline: p})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want one containing %q", err, tc.want)
			}
		})
	}
	_, err := harness.Run(t.Context(), harness.Options{Data: filepath.Join(t.TempDir(), "none"), Out: t.TempDir(), Pipeline: ewmaPipeline()})
	if err == nil || !strings.Contains(err.Error(), "no data folder: give --data the NAB folder holding data/ and labels/") {
		t.Errorf("missing folder: err %v", err)
	}
}

func TestReportText(t *testing.T) {
	dir := writeCorpus(t, map[string]string{"a/x.csv": wavyCSV(1000, 500)}, `{"a/x.csv": [`+window(500, 550)+`]}`)
	rep, err := harness.Run(t.Context(), harness.Options{Data: dir, Pipeline: ewmaPipeline()})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NAB corpus: 1 files, 1000 rows, 1 windows; detector ewma", "rows/s",
		"standard  100.00", "reward_low_FP_rate  100.00", "reward_low_FN_rate  100.00", "label-free",
		"split check", "B: 1 files, 1 windows: standard 100.00 reward_low_FP_rate 100.00 reward_low_FN_rate 100.00"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

func readResults(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
