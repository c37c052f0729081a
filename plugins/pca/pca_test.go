package pca_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/pca"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func TestFindsOutliers(t *testing.T) {
	tests := []struct {
		name string
		opts pca.Options
		dim  int
	}{
		{name: "dim 4", dim: 4},
		{name: "dim 8", dim: 8},
		{name: "dim 16", dim: 16},
		{name: "two components", opts: pca.Options{Components: 2}, dim: 6},
		{name: "variance 0.99", opts: pca.Options{Variance: 0.99}, dim: 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Fitted on a contaminated half, as real windows are; scored on
			// the other half.
			xs, outlier := labelled(10, 8000, tc.dim, 0.05)
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
	xs, _ := labelled(11, 3000, 3, 0.05)
	d := mustFitted(t, mustFactory(t, pca.Options{}), xs[:2000])
	if n, err := d.ScoreBatch(xs, make([]float64, 5)); n != 0 || !errors.Is(err, sdk.ErrInvalidInput) {
		t.Errorf("ScoreBatch into short out = %d, %v; want 0, ErrInvalidInput", n, err)
	}
}

// TestNotFitted covers what the conformance suite does not: Explain, and
// bad input, before Fit. (It checks Score and ScoreBatch.)
func TestNotFitted(t *testing.T) {
	d := mustInstance(t, mustFactory(t, pca.Options{}), 2)
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
	good, _ := labelled(12, 300, 2, 0)
	f := mustFactory(t, pca.Options{})
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
	d := mustInstance(t, mustFactory(t, pca.Options{}), 2)
	if err := d.Fit([][]float64{{-math.MaxFloat64, 0}, {math.MaxFloat64, 1}, {0, 2}}); !errors.Is(err, sdk.ErrInvalidInput) {
		t.Errorf("Fit with a spread beyond float64: %v, want ErrInvalidInput", err)
	}
	xs, _ := labelled(12, 500, 3, 0)
	xs = append(xs, []float64{1e-300, 0, 0}, []float64{0, math.SmallestNonzeroFloat64, 0})
	d = mustFitted(t, mustFactory(t, pca.Options{}), xs)
	for _, x := range [][]float64{
		{math.MaxFloat64, -math.MaxFloat64, 0}, {1e200, 1e200, 1e200}, {1e160, 0, 0}, {0, 0, 0},
	} {
		if s := detectortest.MustScore(t, d, x); x[0] != 0 && s != 1 {
			t.Errorf("Score(%v) = %v, want 1", x, s)
		}
		e, err := d.Explain(x)
		if err != nil {
			t.Fatalf("Explain(%v): %v", x, err)
		}
		var sum float64
		for _, v := range e {
			sum += v
		}
		if !(math.Abs(sum-1) < 1e-9) {
			t.Errorf("Explain(%v) = %v, want shares summing to 1", x, e)
		}
	}
}

func TestConstantData(t *testing.T) {
	d := mustFitted(t, mustFactory(t, pca.Options{}), [][]float64{{3, 3}, {3, 3}, {3, 3}})
	// Every training row reconstructs exactly, so the same point scores
	// the middle rank of the tied errors.
	if s := detectortest.MustScore(t, d, []float64{3, 3}); s != 0.5 {
		t.Errorf("Score(3, 3) = %v, want 0.5", s)
	}
	if e, err := d.Explain([]float64{3, 3}); err != nil || e[0] != 0.5 || e[1] != 0.5 {
		t.Errorf("Explain(3, 3) = %v, %v; want equal shares", e, err)
	}
}

func TestComponents(t *testing.T) {
	xs, _ := labelled(13, 1000, 8, 0)
	tests := []struct {
		opts pca.Options
		want uint32
	}{
		{opts: pca.Options{}, want: 2}, // the data lies near a plane
		{opts: pca.Options{Components: 3}, want: 3},
		{opts: pca.Options{Components: 7}, want: 7},
		{opts: pca.Options{Variance: 1}, want: 7}, // at most dim−1
		{opts: pca.Options{Variance: 0.01}, want: 1},
	}
	for _, tc := range tests {
		snap := detectortest.MustSnapshot(t, mustFitted(t, mustFactory(t, tc.opts), xs))
		if k := binary.LittleEndian.Uint32(snap[8:]); k != tc.want {
			t.Errorf("%+v: kept %d components, want %d", tc.opts, k, tc.want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	xs, _ := labelled(13, 3000, 5, 0.05)
	f := mustFactory(t, pca.Options{})
	if !bytes.Equal(detectortest.MustSnapshot(t, mustFitted(t, f, xs)), detectortest.MustSnapshot(t, mustFitted(t, f, xs))) {
		t.Error("two fits on the same rows gave different models")
	}
}

func TestExplainNamesShiftedFeature(t *testing.T) {
	const dim = 6
	xs, _ := labelled(14, 3000, dim, 0)
	d := mustFitted(t, mustFactory(t, pca.Options{}), xs)
	for j := range dim {
		x := append([]float64(nil), xs[0]...)
		x[j] += 10
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
	xs, _ := labelled(16, 1000, 4, 0.05)
	d := mustFitted(t, mustFactory(t, pca.Options{}), xs)
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
