package hbos_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/hbos"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func TestFindsOutliers(t *testing.T) {
	tests := []struct {
		name string
		opts hbos.Options
		dim  int
	}{
		{name: "dim 2", dim: 2},
		{name: "dim 4", dim: 4},
		{name: "dim 8", dim: 8},
		{name: "auto bins", opts: hbos.Options{Bins: hbos.AutoBins}, dim: 4},
		{name: "few bins", opts: hbos.Options{Bins: 5}, dim: 4},
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
	d := mustFitted(t, mustFactory(t, hbos.Options{}), xs[:2000])
	if n, err := d.ScoreBatch(xs, make([]float64, 5)); n != 0 || !errors.Is(err, sdk.ErrInvalidInput) {
		t.Errorf("ScoreBatch into short out = %d, %v; want 0, ErrInvalidInput", n, err)
	}
}

// TestNotFitted covers what the conformance suite does not: Explain, and
// bad input, before Fit. (It checks Score and ScoreBatch.)
func TestNotFitted(t *testing.T) {
	d := mustInstance(t, mustFactory(t, hbos.Options{}), 2)
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
	f := mustFactory(t, hbos.Options{Bins: 8})
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
	d := mustFitted(t, mustFactory(t, hbos.Options{}), xs)
	for _, x := range append(xs, []float64{math.MaxFloat64, -math.MaxFloat64}) {
		detectortest.MustScore(t, d, x)
	}
}

func TestConstantData(t *testing.T) {
	d := mustFitted(t, mustFactory(t, hbos.Options{}), [][]float64{{3, 3}, {3, 3}, {3, 3}})
	// Every training row scores the same, so the same point scores the
	// middle rank, and any other lies out of range: above them all.
	if s := detectortest.MustScore(t, d, []float64{3, 3}); s != 0.5 {
		t.Errorf("Score(3, 3) = %v, want 0.5", s)
	}
	if s := detectortest.MustScore(t, d, []float64{3, 3.5}); s != 1 {
		t.Errorf("Score(3, 3.5) = %v, want 1", s)
	}
	if e, err := d.Explain([]float64{3, 3}); err != nil || e[0] != 0.5 || e[1] != 0.5 {
		t.Errorf("Explain(3, 3) = %v, %v; want equal shares", e, err)
	}
}

func TestScoreValues(t *testing.T) {
	// Both features hold 0, 1, 1, 2, 2, 2, 3, 3, 3, 3 in 4 bins of width
	// 0.75: heights 1/4, 2/4, 3/4, 1, costs ln 4, ln 2, ln 4/3, 0, and ln 8
	// for a value out of range. The rows' raw scores, twice a cost, sorted:
	// 0 ×4, 2ln(4/3) ×3, 2ln2 ×2, 2ln4: ranks 0..9.
	var xs [][]float64
	for _, v := range []float64{0, 1, 1, 2, 2, 2, 3, 3, 3, 3} {
		xs = append(xs, []float64{v, v})
	}
	d := mustFitted(t, mustFactory(t, hbos.Options{Bins: 4}), xs)
	ln := math.Log
	tests := []struct {
		x    []float64
		want float64
	}{
		{x: []float64{3, 3}, want: 1.5 / 9}, // ties at ranks 0..3: the middle one
		{x: []float64{2, 2}, want: 5.0 / 9},
		{x: []float64{1.4, 0.8}, want: 7.5 / 9},
		{x: []float64{0, 0}, want: 1},
		{x: []float64{3, 1}, want: (6 + (ln(2)-2*ln(4.0/3))/(2*ln(2)-2*ln(4.0/3))) / 9},
		{x: []float64{-1, 3}, want: 8.5 / 9}, // ln 8 + 0 halfway between 2ln2 and 2ln4
		{x: []float64{3, 3.0001}, want: 8.5 / 9},
		{x: []float64{-100, 100}, want: 1},
	}
	for _, tc := range tests {
		if got := detectortest.MustScore(t, d, tc.x); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Score(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
}

func TestAutoBins(t *testing.T) {
	xs, _ := detectortest.Labelled(13, 400, 2, 0, 1, 5)
	snap := detectortest.MustSnapshot(t, mustFitted(t, mustFactory(t, hbos.Options{Bins: hbos.AutoBins}), xs))
	if bins := binary.LittleEndian.Uint32(snap[8:]); bins != 20 {
		t.Errorf("auto bins for 400 rows = %d, want √400 = 20", bins)
	}
}

func TestDeterministic(t *testing.T) {
	xs, _ := detectortest.Labelled(13, 3000, 3, 0.05, 1, 5)
	f := mustFactory(t, hbos.Options{})
	if !bytes.Equal(detectortest.MustSnapshot(t, mustFitted(t, f, xs)), detectortest.MustSnapshot(t, mustFitted(t, f, xs))) {
		t.Error("two fits on the same rows gave different models")
	}
}

func TestExplainNamesShiftedFeature(t *testing.T) {
	const dim = 5
	xs, _ := detectortest.Labelled(14, 3000, dim, 0, 1, 5)
	d := mustFitted(t, mustFactory(t, hbos.Options{}), xs)
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
	d := mustFitted(t, mustFactory(t, hbos.Options{}), xs)
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
