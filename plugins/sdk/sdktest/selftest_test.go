package sdktest

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// record runs the suite on f with a recorder and returns the failures by
// check.
func record(f sdk.Factory, opts Options) map[string][]string {
	rec := newRecorder()
	rec.Run("", func(r reporter) { run(r, f, opts) })
	return rec.failed()
}

// small keeps the self-test quick; the checks do not need long streams.
var small = Options{Points: 300, FitPoints: 64}

func TestReferenceDetectorsPass(t *testing.T) {
	for _, f := range []sdk.Factory{ewmaFactory{}, centroidFactory{}, centroidFactory{maxDim: 2}} {
		t.Run(f.Info().Name, func(t *testing.T) { Run(t, f, small) })
	}
}

// TestBrokenDetectorsAreCaught plants one bug per case and checks that the
// intended check fails, saying why.
func TestBrokenDetectorsAreCaught(t *testing.T) {
	tests := []struct {
		name  string
		f     sdk.Factory
		fails []string // the checks that fail, the intended one first
		msg   string   // a fragment of one of the intended check's messages
	}{
		{"info lies", ewmaFactory{bug: bugInfo}, []string{"info"}, "Info.Explains is false, but New(1) returned *sdktest.ewma, which implements sdk.Explainer"},
		{"bad name", ewmaFactory{bug: bugInfo}, []string{"info"}, `Info.Name is "ewma v1"`},
		{"score out of range", ewmaFactory{bug: bugOutOfRange}, []string{"score_range"}, "want a finite value in [0, 1]"},
		{"writes its input", ewmaFactory{bug: bugWritesInput}, []string{"score_range"}, "Score changed its input"},
		{"panics on NaN", ewmaFactory{bug: bugPanicsOnNaN}, []string{"bad_input", "batch_equals_single"},
			"Score(NaN at 0) panicked: runtime error: index out of range"},
		{"learns bad input", ewmaFactory{bug: bugLearnsBadInput}, []string{"bad_input", "batch_equals_single"}, "rejected Score(nil) changed the snapshot"},
		{"clock in scores", ewmaFactory{bug: bugClock},
			[]string{"deterministic", "bad_input", "batch_equals_single", "concurrency", "explain", "snapshot_restore"},
			"two fresh instances fed the same stream scored"},
		{"lossy snapshot", ewmaFactory{bug: bugLossySnapshot}, []string{"snapshot_restore"}, "restored into a fresh (unfitted) instance: point"},
		{"snapshot aliases a buffer", ewmaFactory{bug: bugSnapshotAliases}, []string{"snapshot_restore"}, "its bytes changed when the instance scored on"},
		{"accepts truncated snapshot", ewmaFactory{bug: bugAcceptsTruncated}, []string{"snapshot_restore"}, "UnmarshalBinary(first 16 of 64 bytes) returned no error"},
		{"stale batch", ewmaFactory{bug: bugStaleBatch}, []string{"batch_equals_single", "concurrency"}, "chunks of 7: point 2 scored 0 in ScoreBatch"},
		{"batch skips bad point", ewmaFactory{bug: bugBatchSkipsBad}, []string{"batch_equals_single"}, "ScoreBatch with a bad point ([]) at index 0 returned 10, <nil>"},
		{"explain learns", ewmaFactory{bug: bugExplainLearns}, []string{"explain"}, "Explain changed the snapshot; it must not learn"},
		{"scores unfitted", centroidFactory{bug: bugScoresUnfitted}, []string{"score_range"}, "Score before Fit returned no error; want an error wrapping sdk.ErrNotFitted"},
		{"fit writes its rows", centroidFactory{bug: bugFitWritesRows}, []string{"score_range"}, "Fit changed row 0 of its input"},
		{"restore forgets fit", centroidFactory{bug: bugRestoreUnfitted}, []string{"snapshot_restore"}, "detector not fitted"},
		{"fit accepts bad rows", centroidFactory{bug: bugFitAcceptsNaN}, []string{"fit_bad_input"}, "Fit(rows with a NaN in the middle) returned no error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			failed := record(tc.f, small)
			if got, want := slices.Sorted(maps.Keys(failed)), slices.Sorted(slices.Values(tc.fails)); !slices.Equal(got, want) {
				t.Errorf("failed checks %v, want %v; messages:\n%s", got, want, strings.Join(slices.Concat(slices.Collect(maps.Values(failed))...), "\n"))
			}
			msgs := failed[tc.fails[0]]
			if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, tc.msg) }) {
				t.Errorf("no message of check %s holds %q:\n%s", tc.fails[0], tc.msg, strings.Join(msgs, "\n"))
			}
		})
	}
}

func TestRecorderSeesNoFailureInGoodDetectors(t *testing.T) {
	for _, f := range []sdk.Factory{ewmaFactory{}, centroidFactory{}} {
		if failed := record(f, small); len(failed) > 0 {
			t.Errorf("%s: want no failures, got %q", f.Info().Name, failed)
		}
	}
}

func TestBadOptions(t *testing.T) {
	nanData := func(rng *rand.Rand, dim, n int) [][]float64 {
		rows := defaultData(rng, dim, n)
		rows[n-1][0] = rng.Float64() / 0 * 0 // NaN
		return rows
	}
	tests := []struct {
		name  string
		f     sdk.Factory
		opts  Options
		check string
		msg   string
	}{
		{"dim above MaxDim", centroidFactory{maxDim: 2}, Options{Dims: []int{3}}, "", "Options.Dims holds 3: want 1..2 (Info.MaxDim)"},
		{"dim 0", ewmaFactory{}, Options{Dims: []int{0}}, "", "Options.Dims holds 0"},
		{"too few points", ewmaFactory{}, Options{Points: 5}, "", "Options.Points is 5: want at least 20"},
		{"data holds NaN", ewmaFactory{}, Options{Points: 50, Data: nanData}, "score_range", "Options.Data row 49: value 0 is NaN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msgs := record(tc.f, tc.opts)[tc.check]
			if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, tc.msg) }) {
				t.Errorf("want a failure holding %q under %q, got %q", tc.msg, tc.check, msgs)
			}
		})
	}
}

func TestStream(t *testing.T) {
	a, b, c := Stream(7, 3, 1000), Stream(7, 3, 1000), Stream(8, 3, 1000)
	if len(a) != 1000 || len(a[0]) != 3 {
		t.Fatalf("Stream(7, 3, 1000) has %d rows of %d, want 1000 of 3", len(a), len(a[0]))
	}
	if !slices.EqualFunc(a, b, slices.Equal) {
		t.Errorf("Stream with the same seed differs")
	}
	if slices.EqualFunc(a, c, slices.Equal) {
		t.Errorf("Stream with seeds 7 and 8 is the same")
	}
	spikes := 0
	for _, x := range a {
		if slices.ContainsFunc(x, func(v float64) bool { return v > 8 || v < -8 }) {
			spikes++
		}
	}
	if spikes == 0 || spikes > 50 {
		t.Errorf("%d of 1000 rows hold a spike, want a few", spikes)
	}
	if !slices.Equal(a[250], a[289]) {
		t.Errorf("rows 250..289 are not one repeated row")
	}
}
