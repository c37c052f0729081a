package harness_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pynomaly/pynomaly/agent/nab/harness"
)

// minScores are the standard, reward_low_FP and reward_low_FN scores the
// harness' default pipeline reached on the NAB corpus (docs/benchmarks.md);
// a change that loses detection quality on any profile fails TestNABCorpus
// instead of passing unnoticed.
var minScores = [3]float64{76.8, 69.3, 81.4}

// TestNABCorpus runs the whole NAB corpus through the default pipeline.
func TestNABCorpus(t *testing.T) {
	dir := nabDir(t)
	rep, err := harness.Run(t.Context(), harness.Options{Data: dir, Pipeline: harness.DefaultPipeline()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 58 || rep.Rows != 365558 || rep.Windows != 116 {
		t.Errorf("corpus: %d files, %d rows, %d windows; want 58, 365558, 116", rep.Files, rep.Rows, rep.Windows)
	}
	if len(rep.Halves) != 2 || rep.Halves[0].Windows != 63 || rep.Halves[1].Windows != 53 {
		t.Errorf("split halves %+v, want A with 63 windows and B with 53", rep.Halves)
	}
	for i, o := range rep.Optimised {
		if o.Score < minScores[i] {
			t.Errorf("%s scores %.2f on NAB's profile %s, below the %.2f reached before", rep.Detector, o.Score, o.Profile, minScores[i])
		}
	}
}

// BenchmarkNABCorpus streams and scores the corpus on one worker; rows/s
// is the figure to compare (the corpus target is under 10 s on one core).
func BenchmarkNABCorpus(b *testing.B) {
	dir := nabDir(b)
	var rows int
	for b.Loop() {
		rep, err := harness.Run(b.Context(), harness.Options{Data: dir, Pipeline: harness.DefaultPipeline(), Workers: 1})
		if err != nil {
			b.Fatal(err)
		}
		rows += rep.Rows
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// nabDir returns NAB's folder, which CI has; elsewhere the caller is
// skipped.
func nabDir(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "..", "shared", "datasets", "nab")
	if _, err := os.Stat(filepath.Join(dir, "labels", "combined_windows.json")); err != nil {
		tb.Skipf("NAB corpus not found at %s (CI has it there): %v", dir, err)
	}
	return dir
}
