package iforest_test

import (
	"bytes"
	"errors"
	"math"
	"runtime"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/iforest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func TestFindsOutliers(t *testing.T) {
	tests := []struct {
		name string
		opts iforest.Options
		dim  int
	}{
		{name: "dim 2", dim: 2},
		{name: "dim 4", dim: 4},
		{name: "dim 8", dim: 8},
		{name: "small forest", opts: iforest.Options{Trees: 20, SampleSize: 64}, dim: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Fitted on a contaminated half, as real windows are; scored on
			// the other half.
			xs, outlier := detectortest.Labelled(10, 8000, tc.dim, 0.05, 1, 5)
			train, test, outlier := xs[:4000], xs[4000:], outlier[4000:]
			d := mustFitted(t, mustFactory(t, tc.opts), train)
			got := detectortest.AUC(detectortest.ScoreAll(t, d, test), outlier)
			if got < 0.9 {
				t.Errorf("ROC-AUC %.4f, want >= 0.9", got)
			}
			t.Logf("ROC-AUC %.4f", got)
		})
	}
}

// TestScoreBatchShortOut asks more than the conformance suite, which
// checks ScoreBatch against Score: an out too short for xs is refused
// before any point is scored.
func TestScoreBatchShortOut(t *testing.T) {
	xs, _ := detectortest.Labelled(11, 3000, 3, 0.05, 1, 5)
	d := mustFitted(t, mustFactory(t, iforest.Options{}), xs[:2000])
	if n, err := d.ScoreBatch(xs, make([]float64, 5)); n != 0 || !errors.Is(err, sdk.ErrInvalidInput) {
		t.Errorf("ScoreBatch into short out = %d, %v; want 0, ErrInvalidInput", n, err)
	}
}

// TestParallelScoreBatch: a batch large enough to be split across
// goroutines scores bit for bit as Score does, and a bad point stops it
// at that point whichever goroutine's share it falls in.
func TestParallelScoreBatch(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	xs, _ := detectortest.Labelled(12, 9000, 3, 0.05, 1, 5)
	d := mustFitted(t, mustFactory(t, iforest.Options{}), xs[:2000])
	out := make([]float64, len(xs))
	if n, err := d.ScoreBatch(xs, out); n != len(xs) || err != nil {
		t.Fatalf("ScoreBatch = %d, %v", n, err)
	}
	for i, x := range xs {
		if s := detectortest.MustScore(t, d, x); s != out[i] {
			t.Fatalf("point %d: Score %v, ScoreBatch %v", i, s, out[i])
		}
	}
	xs[7000] = []float64{1, math.NaN(), 2}
	if n, err := d.ScoreBatch(xs, out); n != 7000 || !errors.Is(err, sdk.ErrInvalidInput) {
		t.Fatalf("ScoreBatch with a NaN at 7000 = %d, %v; want 7000, ErrInvalidInput", n, err)
	}
}

// TestNotFitted covers what the conformance suite does not: Explain, and
// bad input, before Fit. (It checks Score and ScoreBatch.)
func TestNotFitted(t *testing.T) {
	d := mustInstance(t, mustFactory(t, iforest.Options{}), 2)
	if _, err := d.Explain([]float64{1, 2}); !errors.Is(err, sdk.ErrNotFitted) {
		t.Errorf("Explain before Fit: %v, want ErrNotFitted", err)
	}
	if _, err := d.Score([]float64{math.NaN(), 2}); !errors.Is(err, sdk.ErrInvalidInput) {
		t.Errorf("Score(NaN) before Fit: %v, want ErrInvalidInput", err)
	}
}

// TestFitNeedsTwoRows: the bad Fit sets every batch detector must refuse
// are sdktest's fit_bad_input check; a single row is this detector's own.
func TestFitNeedsTwoRows(t *testing.T) {
	good, _ := detectortest.Labelled(12, 300, 2, 0, 1, 5)
	f := mustFactory(t, iforest.Options{Trees: 10})
	d := mustFitted(t, f, good)
	before := detectortest.MustSnapshot(t, d)
	if err := d.Fit(good[:1]); !errors.Is(err, sdk.ErrInvalidInput) {
		t.Errorf("Fit(one row): %v, want ErrInvalidInput", err)
	}
	if !bytes.Equal(detectortest.MustSnapshot(t, d), before) {
		t.Errorf("rejected Fit changed the model")
	}
}

func TestExtremeValues(t *testing.T) {
	xs := [][]float64{{-math.MaxFloat64, 0}, {math.MaxFloat64, 1}, {0, 0}, {1, math.SmallestNonzeroFloat64}}
	d := mustFitted(t, mustFactory(t, iforest.Options{}), xs)
	for _, x := range append(xs, []float64{math.MaxFloat64, -math.MaxFloat64}) {
		detectortest.MustScore(t, d, x)
	}
}

func TestConstantData(t *testing.T) {
	xs := [][]float64{{3, 3}, {3, 3}, {3, 3}}
	d := mustFitted(t, mustFactory(t, iforest.Options{}), xs)
	// No tree can split, so every point has path c(ψ): score 2^−1, up to
	// the rounding of summing c(ψ) once per tree.
	for _, x := range [][]float64{{3, 3}, {100, -100}} {
		if s := detectortest.MustScore(t, d, x); math.Abs(s-0.5) > 1e-12 {
			t.Errorf("Score(%v) = %v, want 0.5", x, s)
		}
		if e, err := d.Explain(x); err != nil || e[0] != 0.5 || e[1] != 0.5 {
			t.Errorf("Explain(%v) = %v, %v; want equal shares", x, e, err)
		}
	}
}

func TestDeterministic(t *testing.T) {
	xs, _ := detectortest.Labelled(13, 1000, 3, 0.05, 1, 5)
	one := detectortest.MustSnapshot(t, mustFitted(t, mustFactory(t, iforest.Options{Seed: 5}), xs))
	two := detectortest.MustSnapshot(t, mustFitted(t, mustFactory(t, iforest.Options{Seed: 5}), xs))
	other := detectortest.MustSnapshot(t, mustFitted(t, mustFactory(t, iforest.Options{Seed: 6}), xs))
	if !bytes.Equal(one, two) {
		t.Error("two fits with seed 5 gave different models")
	}
	if bytes.Equal(one, other) {
		t.Error("seeds 5 and 6 gave the same model")
	}
}

func TestExplainNamesShiftedFeature(t *testing.T) {
	const dim = 5
	xs, _ := detectortest.Labelled(14, 3000, dim, 0, 1, 5)
	d := mustFitted(t, mustFactory(t, iforest.Options{}), xs)
	for j := range dim {
		x := append([]float64(nil), xs[0]...)
		x[j] += 30
		e, err := d.Explain(x)
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		top := 0
		for i, v := range e {
			if v < 0 {
				t.Errorf("feature %d: contribution %v < 0", i, v)
			}
			sum += v
			if v > e[top] {
				top = i
			}
		}
		if top != j || math.Abs(sum-1) > 1e-12 {
			t.Errorf("shifted feature %d: Explain = %.3f (sum %v), want the largest at %d", j, e, sum, j)
		}
	}
}

func TestScoreDoesNotAllocate(t *testing.T) {
	xs, _ := detectortest.Labelled(16, 1000, 4, 0.05, 1, 5)
	d := mustFitted(t, mustFactory(t, iforest.Options{}), xs)
	i := 0
	allocs := testing.AllocsPerRun(500, func() {
		i++
		if _, err := d.Score(xs[i%len(xs)]); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Score allocates %v times per call, want 0", allocs)
	}
}
