package seasonal_test

import (
	"errors"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/seasonal"
)

// TestPatternBreak puts the daily peak's value in the trough of one season.
// The values are within the series' normal range, so only the pattern
// gives them away; the regular peaks must not be flagged.
func TestPatternBreak(t *testing.T) {
	const m = 48 // the sine peaks at position 12 and bottoms out at 36
	xs := sine(21, 30*m, m, 10, 1)
	brk := 12*m + 34
	for i := brk; i < brk+5; i++ {
		xs[i] += 20
	}
	scores := detectortest.ScoreValues(t, mustInstance(t, mustFactory(t, seasonal.Options{Season: m})), xs)
	for i := brk; i < brk+5; i++ {
		if scores[i] <= 0.99 {
			t.Errorf("break point %d (value %.1f) scored %v, want > 0.99", i, xs[i], scores[i])
		}
	}
	var normal, peaks []float64
	for i := 2 * m; i < len(xs); i++ {
		if i >= brk && i < brk+5 {
			if peak := slices.Max(xs); xs[i] > peak {
				t.Errorf("break value %v above the series' peak %v: test is too easy", xs[i], peak)
			}
			continue
		}
		normal = append(normal, scores[i])
		if p := i % m; p >= 9 && p <= 15 {
			peaks = append(peaks, scores[i])
		}
	}
	checkCalm(t, "normal points", normal)
	checkCalm(t, "points at the regular peak", peaks)
}

func TestSpikeInNoise(t *testing.T) {
	const m = 24
	xs := sine(22, 3000, m, 5, 1)
	spikes := []int{500, 1200, 2000, 2001, 2700}
	for k, i := range spikes {
		xs[i] += []float64{8, -7, 9, 6, -10}[k]
	}
	scores := detectortest.ScoreValues(t, mustInstance(t, mustFactory(t, seasonal.Options{Season: m})), xs)
	var normal []float64
	for i := 2 * m; i < len(xs); i++ {
		if !slices.Contains(spikes, i) {
			normal = append(normal, scores[i])
		} else if scores[i] <= 0.99 {
			t.Errorf("spike at %d scored %v, want > 0.99", i, scores[i])
		}
	}
	checkCalm(t, "normal points", normal)
}

// checkCalm fails unless at least 97% of scores are below 0.99. N(0,1)
// puts 99% within ±2.58σ; leave room for estimation noise.
func checkCalm(t *testing.T, what string, scores []float64) {
	t.Helper()
	calm := 0
	for _, s := range scores {
		if s < 0.99 {
			calm++
		}
	}
	if frac := float64(calm) / float64(len(scores)); frac < 0.97 {
		t.Errorf("%.3f of %d %s scored < 0.99, want >= 0.97", frac, len(scores), what)
	}
}

// TestFollowsLevelShift checks that clipping does not freeze the model:
// after a permanent shift of 20σ, scores settle within a bounded time.
func TestFollowsLevelShift(t *testing.T) {
	const m = 24
	xs := sine(23, 40*m, m, 5, 1)
	shift := 20 * m
	for i := shift; i < len(xs); i++ {
		xs[i] += 20
	}
	scores := detectortest.ScoreValues(t, mustInstance(t, mustFactory(t, seasonal.Options{Season: m})), xs)
	if scores[shift] <= 0.99 {
		t.Errorf("shift scored %v, want > 0.99", scores[shift])
	}
	checkCalm(t, "points from 2 seasons after the shift", scores[shift+2*m:])
}

func TestWarmUp(t *testing.T) {
	d := mustInstance(t, mustFactory(t, seasonal.Options{Season: 5}))
	for i := range 10 {
		if s := detectortest.MustScoreValue(t, d, float64(i%2)*1e6); s != 0 {
			t.Fatalf("point %d scored %v during warm-up, want 0", i, s)
		}
	}
	if s := detectortest.MustScoreValue(t, d, 1e9); s == 0 {
		t.Errorf("first point after warm-up scored 0, want > 0")
	}
}

func TestInvalidInputLeavesStateUnchanged(t *testing.T) {
	bad := []struct {
		name string
		x    []float64
	}{
		{"nil", nil},
		{"empty", []float64{}},
		{"NaN", []float64{math.NaN()}},
		{"+Inf", []float64{math.Inf(1)}},
		{"-Inf", []float64{math.Inf(-1)}},
		{"two values", []float64{1, 2}},
	}
	f := mustFactory(t, seasonal.Options{Season: 4})
	xs := sine(24, 40, 4, 3, 1)
	for _, tc := range bad {
		for _, prefix := range []int{0, 2, 6, 40} { // fresh, season 1, season 2, warm
			d, twin := mustInstance(t, f), mustInstance(t, f)
			detectortest.ScoreValues(t, d, xs[:prefix])
			detectortest.ScoreValues(t, twin, xs[:prefix])
			if s, err := d.Score(tc.x); !errors.Is(err, sdk.ErrInvalidInput) || s != 0 {
				t.Fatalf("%s after %d: Score = %v, %v; want 0, ErrInvalidInput", tc.name, prefix, s, err)
			}
			if !slices.Equal(detectortest.MustSnapshot(t, d), detectortest.MustSnapshot(t, twin)) {
				t.Errorf("%s after %d: state differs from untouched twin", tc.name, prefix)
			}
		}
	}
}

func TestConcurrentInstances(t *testing.T) {
	f := mustFactory(t, seasonal.Options{Season: 24})
	xs := sine(25, 2000, 24, 5, 1)
	want := detectortest.ScoreValues(t, mustInstance(t, f), xs)
	var wg sync.WaitGroup
	for range 8 {
		d := mustInstance(t, f)
		wg.Go(func() {
			for i, x := range xs {
				if s, err := d.Score([]float64{x}); err != nil || s != want[i] {
					t.Errorf("point %d: score %v, %v; serial run gave %v", i, s, err, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestScoreDoesNotAllocate(t *testing.T) {
	d := mustInstance(t, mustFactory(t, seasonal.Options{Season: 288}))
	xs := sine(26, 2048, 288, 5, 1)
	detectortest.ScoreValues(t, d, xs)
	x := []float64{0}
	i := 0
	allocs := testing.AllocsPerRun(500, func() {
		x[0] = xs[i%len(xs)]
		i++
		if _, err := d.Score(x); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Score allocates %v times per call, want 0", allocs)
	}
}
