package hst_test

import (
	"math"
	"slices"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/hst"
)

// TestFarPointIn3DCluster shifts a cluster point by 8σ in one feature: it
// must outscore the cluster, and Explain must name that feature. Mass is
// coarse (a leaf holds up to Window/10 points), so the far point is only
// required to outscore 99.5% of the cluster, not its most extreme points.
func TestFarPointIn3DCluster(t *testing.T) {
	xs := cluster(1, 3000, 0, 10, -5)
	d := mustInstance(t, mustFactory(t, hst.Options{}), 3)
	normal := detectortest.ScoreAll(t, d, xs)[250:]
	checkCalm(t, "cluster points", normal)
	slices.Sort(normal)
	top := normal[len(normal)*995/1000]
	for q := range 3 {
		for i := range 20 {
			far := slices.Clone(xs[i])
			far[q] += 8
			// Explain first: it must not learn, so Score sees the same state.
			c := mustExplain(t, d, far)
			s := detectortest.MustScore(t, d, far)
			if s <= 0.99 || s < top {
				t.Errorf("shift in feature %d, point %d: score %v, want > 0.99 and >= the cluster's 99.5th percentile %v", q, i, s, top)
			}
			if slices.Index(c, slices.Max(c)) != q || c[q] < 0.5 {
				t.Errorf("shift in feature %d, point %d: contributions %v, want most on feature %d", q, i, c, q)
			}
		}
	}
}

func TestSpikeInNoise(t *testing.T) {
	xs := cluster(2, 3000, 100)
	spikes := map[int]float64{500: 160, 1200: 40, 2000: 170, 2001: 150, 2700: 30}
	for i, v := range spikes {
		xs[i][0] = 100 + (v-100)/5 // N(100, 1): the spikes are 6σ to 14σ
	}
	scores := detectortest.ScoreAll(t, mustInstance(t, mustFactory(t, hst.Options{}), 1), xs)
	var normal []float64
	for i := 250; i < len(xs); i++ {
		if _, ok := spikes[i]; !ok {
			normal = append(normal, scores[i])
		} else if scores[i] <= 0.99 {
			t.Errorf("spike %v at %d scored %v, want > 0.99", xs[i][0], i, scores[i])
		}
	}
	checkCalm(t, "normal points", normal)
}

// checkCalm fails unless at least 97% of scores are below 0.99.
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

// TestScaleInvariant checks that features are scaled by the window's
// range: multiplying a feature by a power of two, which is exact in
// floating point, changes no score by a single bit.
func TestScaleInvariant(t *testing.T) {
	xs := cluster(3, 800, 0, 10, -5)
	f := mustFactory(t, hst.Options{Window: 100})
	want := detectortest.ScoreAll(t, mustInstance(t, f, 3), xs)
	for _, scale := range [][3]float64{{1 << 20, 1, 1}, {1, 0x1p-30, 1 << 10}} {
		scaled := make([][]float64, len(xs))
		for i, x := range xs {
			scaled[i] = []float64{x[0] * scale[0], x[1] * scale[1], x[2] * scale[2]}
		}
		for i, s := range detectortest.ScoreAll(t, mustInstance(t, f, 3), scaled) {
			if math.Float64bits(s) != math.Float64bits(want[i]) {
				t.Fatalf("scale %v: point %d scored %v, unscaled %v", scale, i, s, want[i])
			}
		}
	}
}

// TestConstantFeature checks that a feature constant over the window still
// counts: a change in it is anomalous and explained by it.
func TestConstantFeature(t *testing.T) {
	xs := cluster(4, 600, 0, 0)
	for _, x := range xs {
		x[1] = 7
	}
	d := mustInstance(t, mustFactory(t, hst.Options{}), 2)
	detectortest.ScoreAll(t, d, xs)
	x := []float64{0, 7.001}
	c := mustExplain(t, d, x)
	if s := detectortest.MustScore(t, d, x); s <= 0.99 {
		t.Errorf("change in the constant feature scored %v, want > 0.99", s)
	}
	if c[1] < 0.5 {
		t.Errorf("contributions %v, want most on feature 1", c)
	}
}

func TestWarmUp(t *testing.T) {
	d := mustInstance(t, mustFactory(t, hst.Options{Window: 20}), 2)
	for i, x := range cluster(5, 20, 0, 0) {
		x[0] *= float64(i%2) * 1e6
		if s := detectortest.MustScore(t, d, x); s != 0 {
			t.Fatalf("point %d scored %v during warm-up, want 0", i, s)
		}
	}
	if s := detectortest.MustScore(t, d, []float64{1e9, 0}); s == 0 {
		t.Errorf("first point after warm-up scored 0, want > 0")
	}
}

func TestSeed(t *testing.T) {
	xs := cluster(6, 600, 0, 0, 0)
	score := func(seed uint64) []float64 {
		return detectortest.ScoreAll(t, mustInstance(t, mustFactory(t, hst.Options{Seed: seed}), 3), xs)
	}
	if a, b := score(7), score(7); !slices.Equal(a, b) {
		t.Errorf("same seed, different scores")
	}
	if a, b := score(7), score(8); slices.Equal(a, b) {
		t.Errorf("seeds 7 and 8 gave the same scores: the seed draws nothing")
	}
}

func TestExplainBeforeWarmUp(t *testing.T) {
	d := mustInstance(t, mustFactory(t, hst.Options{}), 3)
	if c := mustExplain(t, d, []float64{1, 2, 3}); !slices.Equal(c, []float64{0, 0, 0}) {
		t.Errorf("Explain before the first window = %v, want zeros", c)
	}
}
