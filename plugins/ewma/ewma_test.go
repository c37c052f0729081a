package ewma_test

import (
	"errors"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/ewma"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func TestScoreValues(t *testing.T) {
	oneThree := []float64{1, 3} // weights 1, 1/2: mean 2, variance 1
	tests := []struct {
		name    string
		history []float64
		x       float64
		want    float64
	}{
		{name: "at mean", history: oneThree, x: 2, want: 0},
		{name: "one sigma above", history: oneThree, x: 3, want: 0.6826894921370859},
		{name: "three sigma below", history: oneThree, x: -1, want: 0.9973002039367398},
		{name: "first values weigh equally", history: []float64{1, 2, 3, 4}, x: 2.5 + math.Sqrt(1.25), want: 0.6826894921370859},
		{name: "constant same value", history: []float64{4, 4, 4}, x: 4, want: 0},
		{name: "constant tiny step", history: []float64{4, 4, 4}, x: math.Nextafter(4, 5), want: 1},
		{name: "deviation overflows", history: []float64{1e308, 1e308}, x: -1e308, want: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustInstance(t, mustFactory(t, ewma.Options{MinSamples: 2}))
			detectortest.ScoreValues(t, d, tc.history)
			if got := detectortest.MustScoreValue(t, d, tc.x); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("Score(%v) = %v, want %v", tc.x, got, tc.want)
			}
		})
	}
}

func TestSpikeInNoise(t *testing.T) {
	xs := detectortest.Noisy(1, 3000, 100, 5)
	spikes := map[int]float64{500: 150, 1200: 70, 2000: 160, 2001: 140, 2700: 40}
	for i, v := range spikes {
		xs[i] = v
	}
	scores := detectortest.ScoreValues(t, mustInstance(t, mustFactory(t, ewma.Options{})), xs)
	normal, calm := 0, 0
	for i := 30; i < len(xs); i++ {
		if _, ok := spikes[i]; ok {
			if scores[i] <= 0.99 {
				t.Errorf("spike %v at %d scored %v, want > 0.99", xs[i], i, scores[i])
			}
			continue
		}
		normal++
		if scores[i] < 0.99 {
			calm++
		}
	}
	if frac := float64(calm) / float64(normal); frac < 0.97 {
		t.Errorf("%.3f of normal points scored < 0.99, want >= 0.97", frac)
	}
}

// TestClipKeepsNextSpikeVisible shows what winsorising buys: after a huge
// spike, a 6σ spike a few points later still stands out, where without
// clipping the first spike inflated σ enough to hide it.
func TestClipKeepsNextSpikeVisible(t *testing.T) {
	xs := detectortest.Noisy(2, 400, 0, 1)
	xs[300], xs[305] = 1000, 6
	tests := []struct {
		clip    float64
		visible bool
	}{{clip: 5, visible: true}, {clip: 1000, visible: false}}
	for _, tc := range tests {
		scores := detectortest.ScoreValues(t, mustInstance(t, mustFactory(t, ewma.Options{Clip: tc.clip})), xs)
		if got := scores[305] > 0.99; got != tc.visible {
			t.Errorf("clip %v: second spike scored %v, want > 0.99: %v", tc.clip, scores[305], tc.visible)
		}
	}
}

// TestFollowsLevelShift checks that clipping does not freeze the estimates:
// after a permanent shift of 20σ, scores settle within a bounded time.
func TestFollowsLevelShift(t *testing.T) {
	xs := detectortest.Noisy(3, 1000, 0, 1)
	for i := 500; i < len(xs); i++ {
		xs[i] += 20
	}
	scores := detectortest.ScoreValues(t, mustInstance(t, mustFactory(t, ewma.Options{})), xs)
	if scores[500] <= 0.99 {
		t.Errorf("shift scored %v, want > 0.99", scores[500])
	}
	high := 0
	for _, s := range scores[600:] {
		if s >= 0.99 {
			high++
		}
	}
	if high > 12 {
		t.Errorf("%d of 400 points from 100 after the shift scored >= 0.99, want <= 12", high)
	}
}

func TestWarmUp(t *testing.T) {
	d := mustInstance(t, mustFactory(t, ewma.Options{MinSamples: 10}))
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
	f := mustFactory(t, ewma.Options{MinSamples: 4})
	xs := detectortest.Noisy(4, 40, 0, 1)
	for _, tc := range bad {
		for _, prefix := range []int{0, 2, 40} { // fresh, warming up, warm
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
	f := mustFactory(t, ewma.Options{})
	xs := detectortest.Noisy(5, 2000, 10, 2)
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
	d := mustInstance(t, mustFactory(t, ewma.Options{}))
	xs := detectortest.Noisy(6, 1024, 0, 1)
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
