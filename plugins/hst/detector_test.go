package hst_test

import (
	"errors"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/hst"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func TestInvalidInputLeavesStateUnchanged(t *testing.T) {
	bad := []struct {
		name string
		x    []float64
	}{
		{"nil", nil},
		{"empty", []float64{}},
		{"NaN", []float64{1, math.NaN(), 3}},
		{"+Inf", []float64{math.Inf(1), 2, 3}},
		{"-Inf", []float64{1, 2, math.Inf(-1)}},
		{"too short", []float64{1, 2}},
		{"too long", []float64{1, 2, 3, 4}},
	}
	f := mustFactory(t, hst.Options{Window: 20})
	xs := cluster(7, 50, 0, 0, 0)
	for _, tc := range bad {
		for _, prefix := range []int{0, 7, 20, 50} { // fresh, filling, just swapped, later
			d, twin := mustInstance(t, f, 3), mustInstance(t, f, 3)
			detectortest.ScoreAll(t, d, xs[:prefix])
			detectortest.ScoreAll(t, twin, xs[:prefix])
			if s, err := d.Score(tc.x); !errors.Is(err, sdk.ErrInvalidInput) || s != 0 {
				t.Fatalf("%s after %d: Score = %v, %v; want 0, ErrInvalidInput", tc.name, prefix, s, err)
			}
			if c, err := d.(sdk.Explainer).Explain(tc.x); !errors.Is(err, sdk.ErrInvalidInput) || c != nil {
				t.Fatalf("%s after %d: Explain = %v, %v; want nil, ErrInvalidInput", tc.name, prefix, c, err)
			}
			if !slices.Equal(detectortest.MustSnapshot(t, d), detectortest.MustSnapshot(t, twin)) {
				t.Errorf("%s after %d: state differs from untouched twin", tc.name, prefix)
			}
		}
	}
}

func TestExplainDoesNotLearn(t *testing.T) {
	d := mustInstance(t, mustFactory(t, hst.Options{Window: 20}), 3)
	detectortest.ScoreAll(t, d, cluster(8, 30, 0, 0, 0))
	before := detectortest.MustSnapshot(t, d)
	for _, x := range [][]float64{{0, 0, 0}, {50, 0, 0}, {0, -50, 9}} {
		c := mustExplain(t, d, x)
		if len(c) != 3 {
			t.Fatalf("Explain(%v) has %d contributions, want 3", x, len(c))
		}
		sum := 0.0
		for _, v := range c {
			if !(v >= 0) {
				t.Errorf("Explain(%v) = %v, want non-negative contributions", x, c)
			}
			sum += v
		}
		if sum != 0 && math.Abs(sum-1) > 1e-12 {
			t.Errorf("Explain(%v) = %v sums to %v, want 1 (or 0)", x, c, sum)
		}
	}
	if !slices.Equal(detectortest.MustSnapshot(t, d), before) {
		t.Errorf("Explain changed the instance's state")
	}
}

func TestConcurrentInstances(t *testing.T) {
	f := mustFactory(t, hst.Options{Window: 100})
	xs := cluster(9, 1000, 0, 5, 10)
	want := detectortest.ScoreAll(t, mustInstance(t, f, 3), xs)
	var wg sync.WaitGroup
	for range 8 {
		d := mustInstance(t, f, 3)
		wg.Go(func() {
			for i, x := range xs {
				if s, err := d.Score(x); err != nil || s != want[i] {
					t.Errorf("point %d: score %v, %v; serial run gave %v", i, s, err, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestScoreDoesNotAllocate scores across several window swaps: rebuilding
// the reference reuses the instance's memory.
func TestScoreDoesNotAllocate(t *testing.T) {
	d := mustInstance(t, mustFactory(t, hst.Options{}), 3)
	xs := cluster(10, 3000, 0, 0, 0)
	detectortest.ScoreAll(t, d, xs[:2000])
	i := 0
	allocs := testing.AllocsPerRun(999, func() {
		if _, err := d.Score(xs[2000+i]); err != nil {
			t.Fatal(err)
		}
		i++
	})
	if allocs != 0 {
		t.Errorf("Score allocates %v times per call, want 0", allocs)
	}
}
