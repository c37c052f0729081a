package zscore_test

import (
	"errors"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/zscore"
)

func TestScoreValues(t *testing.T) {
	oneToEight := []float64{1, 2, 3, 4, 5, 6, 7, 8} // median 4.5, MAD 2
	sigma := 1.4826 * 2
	tests := []struct {
		name   string
		window []float64
		x      float64
		want   float64
	}{
		{name: "at median", window: oneToEight, x: 4.5, want: 0},
		{name: "one sigma below", window: oneToEight, x: 4.5 - sigma, want: 0.6826894921370859},
		{name: "three sigma above", window: oneToEight, x: 4.5 + 3*sigma, want: 0.9973002039367398},
		{name: "mad zero falls back to mean abs dev", window: []float64{5, 5, 5, 5, 5, 7, 9, 3}, x: 5 + 2*1.2533, want: 0.9544997361036416},
		{name: "constant window same value", window: []float64{3, 3, 3, 3, 3, 3, 3, 3}, x: 3, want: 0},
		{name: "constant window tiny step", window: []float64{3, 3, 3, 3, 3, 3, 3, 3}, x: math.Nextafter(3, 4), want: 1},
		{name: "constant window far", window: []float64{3, 3, 3, 3, 3, 3, 3, 3}, x: -1e300, want: 1},
		{name: "deviation overflows", window: oneToEight, x: -math.MaxFloat64, want: 1},
		{name: "huge spread", window: []float64{-1e308, 1e308, -1e308, 1e308, -1e308, 1e308, -1e308, 1e308}, x: 1e308, want: math.Erf(1 / 1.4826 / math.Sqrt2)},
		{name: "spread overflows", window: []float64{-1.5e308, 1.5e308, -1.5e308, 1.5e308, -1.5e308, 1.5e308, -1.5e308, 1.5e308}, x: 1.5e308, want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustInstance(t, mustFactory(t, zscore.Options{Window: 8, MinSamples: 8}))
			detectortest.ScoreValues(t, d, tc.window)
			if got := detectortest.MustScoreValue(t, d, tc.x); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("Score(%v) = %v, want %v", tc.x, got, tc.want)
			}
		})
	}
}

func TestSpikeInNoise(t *testing.T) {
	xs := detectortest.Noisy(1, 3000, 100, 5)
	spikes := map[int]float64{500: 150, 1200: 48, 2000: 160, 2001: 100, 2700: 40}
	for i, v := range spikes {
		xs[i] = v
	}
	scores := detectortest.ScoreValues(t, mustInstance(t, mustFactory(t, zscore.Options{})), xs)
	normal, calm := 0, 0
	for i, s := range scores[32:] {
		i += 32
		if v, ok := spikes[i]; ok && v != 100 {
			if s <= 0.999 {
				t.Errorf("spike %v at %d scored %v, want > 0.999", v, i, s)
			}
			continue
		}
		normal++
		if s < 0.99 {
			calm++
		}
	}
	// N(0,1) puts 99% within ±2.58σ; leave room for estimation noise.
	if frac := float64(calm) / float64(normal); frac < 0.97 {
		t.Errorf("%.3f of normal points scored < 0.99, want >= 0.97", frac)
	}
}

func TestWarmUp(t *testing.T) {
	d := mustInstance(t, mustFactory(t, zscore.Options{Window: 64, MinSamples: 32}))
	for i := range 32 {
		x := float64(i%2) * 1e6 // wildly alternating, still 0 while warming up
		if s := detectortest.MustScoreValue(t, d, x); s != 0 {
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
	f := mustFactory(t, zscore.Options{Window: 16, MinSamples: 4})
	xs := detectortest.Noisy(2, 40, 0, 1)
	for _, tc := range bad {
		for _, prefix := range []int{0, 3, 10, 40} { // empty, warming up, filling, wrapped
			d, twin := mustInstance(t, f), mustInstance(t, f)
			detectortest.ScoreValues(t, d, xs[:prefix])
			detectortest.ScoreValues(t, twin, xs[:prefix])
			if s, err := d.Score(tc.x); !errors.Is(err, sdk.ErrInvalidInput) || s != 0 {
				t.Fatalf("%s after %d: Score = %v, %v; want 0, ErrInvalidInput", tc.name, prefix, s, err)
			}
			if got, want := detectortest.MustScoreValue(t, d, 3), detectortest.MustScoreValue(t, twin, 3); got != want {
				t.Errorf("%s after %d: next score %v, untouched twin %v", tc.name, prefix, got, want)
			}
			if !slices.Equal(detectortest.MustSnapshot(t, d), detectortest.MustSnapshot(t, twin)) {
				t.Errorf("%s after %d: state differs from untouched twin", tc.name, prefix)
			}
		}
	}
}

func TestMatchesReference(t *testing.T) {
	r := detectortest.Noisy(3, 4000, 0, 1)
	streams := map[string][]float64{
		"normal": r,
		"ties":   roundAll(r, 1), // few distinct values: MAD often 0
		"steps":  roundAll(r, 0.05),
		"sorted": slices.Sorted(slices.Values(r)),
	}
	for name, xs := range streams {
		t.Run(name, func(t *testing.T) {
			for _, w := range []int{8, 9, 64, 255} {
				d := mustInstance(t, mustFactory(t, zscore.Options{Window: w, MinSamples: 2}))
				for i, x := range xs {
					want := referenceScore(xs[max(0, i-w):i], x, 2)
					if got := detectortest.MustScoreValue(t, d, x); math.Abs(got-want) > 1e-12 {
						t.Fatalf("window %d, point %d: score %v, reference %v", w, i, got, want)
					}
				}
			}
		})
	}
}

// referenceScore is the specification written plainly, with full sorts.
func referenceScore(window []float64, x float64, minSamples int) float64 {
	if len(window) < minSamples {
		return 0
	}
	med := sortedMedian(window)
	dev := make([]float64, len(window))
	for i, v := range window {
		dev[i] = math.Abs(v - med)
	}
	sigma := 1.4826 * sortedMedian(dev)
	if sigma == 0 {
		var sum float64
		for _, v := range dev {
			sum += v
		}
		sigma = 1.2533 * sum / float64(len(dev))
	}
	z := math.Abs(x-med) / sigma
	if sigma == 0 {
		z = 0
		if x != med {
			z = math.Inf(1)
		}
	}
	return math.Erf(z / math.Sqrt2)
}

func sortedMedian(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func roundAll(xs []float64, step float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = math.Round(x/step) * step
	}
	return out
}

func TestConcurrentInstances(t *testing.T) {
	f := mustFactory(t, zscore.Options{Window: 64})
	xs := detectortest.Noisy(4, 2000, 10, 2)
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
	noisy := detectortest.Noisy(5, 1024, 0, 1)
	for name, xs := range map[string][]float64{"float": noisy, "decimal": decimals(noisy, 2)} {
		t.Run(name, func(t *testing.T) {
			d := mustInstance(t, mustFactory(t, zscore.Options{}))
			detectortest.ScoreValues(t, d, xs)
			x := []float64{0}
			// Each run wraps the ring four times, where a window may move
			// to narrower storage.
			allocs := testing.AllocsPerRun(20, func() {
				for _, v := range xs {
					x[0] = v
					if _, err := d.Score(x); err != nil {
						t.Fatal(err)
					}
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocations per %d scores, want 0", allocs, len(xs))
			}
		})
	}
}
