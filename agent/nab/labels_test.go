package nab_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/nab"
)

func TestReadWindows(t *testing.T) {
	got, err := nab.ReadWindows("testdata/good.json")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2014, 4, 10, 7, 15, 0, 0, time.UTC)
	if len(got) != 2 || len(got["b/g.csv"]) != 0 || got["b/g.csv"] == nil ||
		len(got["a/f.csv"]) != 1 || got["a/f.csv"][0] != (nab.Span{Start: start, End: start.Add(10 * time.Minute)}) {
		t.Errorf("ReadWindows = %v", got)
	}
}

func TestReadWindowsBad(t *testing.T) {
	wantErr := map[string]string{
		"one_timestamp.bad.json": "a/f.csv: window 0: 1 timestamps, want [start, end]",
		"bad_time.bad.json":      `a/f.csv: window 0: end: parsing time "yesterday"`,
		"backwards.bad.json":     "a/f.csv: window 0: ends at 2014-04-10 07:15:00.000000, before it starts",
		"not_pairs.bad.json":     "want {\"folder/file.csv\": [[start, end], ...]}",
		"missing.json":           "read windows: open testdata/missing.json: no such file",
	}
	for name, want := range wantErr {
		_, err := nab.ReadWindows(filepath.Join("testdata", name))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err %v, want one containing %q", name, err, want)
		}
	}
	bad, _ := filepath.Glob("testdata/*.bad.json")
	for _, b := range bad {
		if _, ok := wantErr[filepath.Base(b)]; !ok {
			t.Errorf("%s has no expected error in this test", b)
		}
	}
}

func TestLocate(t *testing.T) {
	t0 := time.Date(2014, 4, 10, 0, 0, 0, 0, time.UTC)
	ts := make([]time.Time, 10)
	for i := range ts {
		ts[i] = t0.Add(time.Duration(i) * 5 * time.Minute)
	}
	span := func(a, b int) nab.Span { return nab.Span{Start: ts[a], End: ts[b]} }
	got, err := nab.Locate(ts, []nab.Span{span(1, 3), span(6, 9)})
	if err != nil || len(got) != 2 || got[0] != (nab.Window{Start: 1, End: 3}) || got[1] != (nab.Window{Start: 6, End: 9}) {
		t.Errorf("Locate = %v, %v; want [{1 3} {6 9}]", got, err)
	}
	// A repeated timestamp (clocks going back): the first row holding it.
	rep := []time.Time{ts[0], ts[1], ts[2], ts[2], ts[3], ts[2], ts[4]}
	got, err = nab.Locate(rep, []nab.Span{span(2, 4)})
	if err != nil || len(got) != 1 || got[0] != (nab.Window{Start: 2, End: 6}) {
		t.Errorf("Locate with repeated timestamps = %v, %v; want [{2 6}]", got, err)
	}
	for _, tc := range []struct {
		name  string
		ts    []time.Time
		spans []nab.Span
		want  string
	}{
		{"start between rows", ts, []nab.Span{{Start: ts[1].Add(time.Minute), End: ts[3]}}, "window 0: start 2014-04-10 00:06:00 is no row's timestamp"},
		{"end past the data", ts, []nab.Span{{Start: ts[1], End: ts[9].Add(time.Hour)}}, "window 0: end 2014-04-10 01:45:00 is no row's timestamp"},
		{"windows out of order", ts, []nab.Span{span(6, 9), span(1, 3)}, "window 1: start 2014-04-10 00:05:00 is no row's timestamp after the previous window"},
	} {
		if _, err := nab.Locate(tc.ts, tc.spans); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestProfilesMatchNAB(t *testing.T) {
	dir := corpusDir(t)
	got, err := nab.ReadProfiles(filepath.Join(dir, "config/profiles.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []nab.Profile{nab.RewardLowFN, nab.RewardLowFP, nab.Standard} // by name
	if len(got) != len(want) {
		t.Fatalf("profiles.json has %d profiles, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("profiles.json: %+v, built in: %+v", got[i], want[i])
		}
	}
}

// corpusDir returns NAB's folder, which CI has; elsewhere the test is
// skipped.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "datasets", "nab")
	if _, err := os.Stat(filepath.Join(dir, "labels", "combined_windows.json")); err != nil {
		t.Skipf("NAB corpus not found at %s (CI has it there): %v", dir, err)
	}
	return dir
}
