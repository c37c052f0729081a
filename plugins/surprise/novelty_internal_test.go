package surprise

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestNoveltyRelearns: a series that leaves the range it was learned in for
// good (quiet, then a thousand times busier) makes the channel learn again
// from the new regime, after which the regime is nothing new.
func TestNoveltyRelearns(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := newNovelty(DefaultNovelty)
	for range DefaultNovelty {
		n.score(r.Float64())
	}
	if n.learning != nil {
		t.Fatal("still learning after the learning period")
	}
	i := 0
	busy := func() float64 { // a cycle of 70 values, a thousand times the quiet noise
		i++
		return 1000 + 500*math.Sin(float64(i)*2*math.Pi/70) + 10*r.Float64()
	}
	restarted := false
	for range 200 {
		n.score(busy())
		restarted = restarted || n.learning != nil
	}
	if !restarted {
		t.Fatal("200 values far off the learned scale did not restart learning")
	}
	for range DefaultNovelty {
		n.score(busy())
	}
	if n.learning != nil {
		t.Fatal("still learning a learning period after the restart")
	}
	for k := range 5000 {
		if s := n.score(busy()); s >= 0.5 {
			t.Fatalf("value %d of the learned regime scored %v, want below 0.5", k, s)
		}
	}
	if n.learning != nil {
		t.Error("restarted again inside the regime it learned")
	}
}

// TestNoveltyBounded: however varied the series, a unit keeps at most
// noveltyCap categories, in slices that hold no more; the least recently
// used make way.
func TestNoveltyBounded(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n := newNovelty(minNovelty)
	for range minNovelty {
		n.score(r.Float64())
	}
	n.pattern.rho, n.point.rho = maxVigilance, maxVigilance
	for range 40000 {
		n.score(r.Float64())
		n.pattern.rho, n.point.rho = maxVigilance, maxVigilance // as new as can be
	}
	for name, u := range map[string]*artUnit{"pattern": &n.pattern, "point": &n.point} {
		if k := u.categories(); k != noveltyCap || len(u.w) != noveltyCap*u.dim || cap(u.w) != len(u.w) {
			t.Errorf("%s: %d categories, %d weights (room for %d); want the cap, %d and %d, and no slack",
				name, k, len(u.w), cap(u.w), noveltyCap, noveltyCap*u.dim)
		}
	}
}

// TestNoveltyCheck: a decoded channel state that no instance could reach
// is refused, naming what is wrong.
func TestNoveltyCheck(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const seen = 3 * minNovelty
	good := func() *novelty {
		n := newNovelty(minNovelty)
		for range seen {
			n.score(r.Float64())
		}
		return n
	}
	if err := good().check(seen); err != nil {
		t.Fatalf("a running channel's state: %v", err)
	}
	tests := []struct {
		name  string
		spoil func(n *novelty)
		want  string
	}{
		{"learning value", func(n *novelty) { n.learning = []float64{math.Inf(1)} }, "a learning value not within"},
		{"learning count", func(n *novelty) { n.learning = make([]float64, seen+1) }, "337 learning values after 336 values"},
		{"scale", func(n *novelty) { n.span = 0 }, "novelty: scale"},
		{"scale far out", func(n *novelty) { n.lo = -1e308 }, "novelty: scale"},
		{"block count", func(n *novelty) { n.count = noveltyBlock }, "block of 7 values"},
		{"block summary", func(n *novelty) { n.count, n.low, n.high = 2, 0.6, 0.4 }, "block summary"},
		{"empty block summary", func(n *novelty) { n.count, n.sum = 0, math.NaN() }, "block summary"},
		{"empty block off the scale", func(n *novelty) { n.count, n.offScale = 0, true }, "an empty block off the scale"},
		{"mean", func(n *novelty) { n.means[3] = 1.5 }, "or one off the scale"},
		{"means missing", func(n *novelty) { n.nmeans = 3 }, "3 block means"},
		{"no categories", func(n *novelty) { n.point.w, n.point.norm, n.point.used = nil, nil, nil }, "0 categories"},
		{"inputs counted", func(n *novelty) { n.pattern.t = seen }, "categories after 336 inputs"},
		{"off-scale blocks", func(n *novelty) { n.off = 1<<relearnOff - 1 }, "off-scale blocks"},
		{"vigilance", func(n *novelty) { n.point.rho = 1 }, "vigilance 1"},
		{"hold", func(n *novelty) { n.pattern.held = noveltyWindow + 1 }, "hold 9"},
		{"grade", func(n *novelty) { n.pattern.grade = math.NaN() }, "at grade NaN"},
		{"weight", func(n *novelty) { n.pattern.w[0] = -0.1 }, "a weight outside [0, 1]"},
		{"use", func(n *novelty) { n.point.used[0] = n.point.t + 1 }, "last used at input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := good()
			tc.spoil(n)
			if err := n.check(seen); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("check() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestSnapshotAcrossRelearning: the novelty channel restored anywhere
// around a relearning (before the series leaves its range, while it
// leaves, while the channel learns again, after) scores the rest bit for
// bit as the channel never interrupted. It compares the channel's own
// scores: in the detector's, the other channels would hide a difference.
func TestSnapshotAcrossRelearning(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	xs := make([]float64, 4000)
	for i := range xs {
		level := 1.0
		if i >= 1500 {
			level = 1000 // leaves the learned range for good
		}
		xs[i] = level * (10 + math.Sin(float64(i)/5) + 0.3*r.NormFloat64())
	}
	ref := newNovelty(DefaultNovelty)
	want := make([]float64, len(xs))
	relearned, novel := false, 0
	for i, x := range xs {
		want[i] = ref.score(x)
		relearned = relearned || (i > 1500 && ref.learning != nil)
		if want[i] > 0 {
			novel++
		}
	}
	if !relearned || novel < 5 {
		t.Fatalf("relearned %v, %d novelties: the series does not test what the test says", relearned, novel)
	}
	n := newNovelty(DefaultNovelty)
	for at, x := range xs {
		if at%37 == 0 || (at >= 1495 && at < 1700) {
			var w writer
			n.encode(&w)
			restored := newNovelty(DefaultNovelty)
			rd := reader{b: w.b}
			restored.decode(&rd)
			if rd.err == nil && len(rd.b) > 0 {
				rd.fail("%d bytes past the end", len(rd.b))
			}
			if rd.err != nil {
				t.Fatalf("at %d: %v", at, rd.err)
			}
			if err := restored.check(uint64(at)); err != nil {
				t.Fatalf("at %d: %v", at, err)
			}
			for i := at; i < len(xs); i++ {
				if got := restored.score(xs[i]); math.Float64bits(got) != math.Float64bits(want[i]) {
					t.Fatalf("restored at %d: value %d scored %v, uninterrupted %v", at, i, got, want[i])
				}
			}
		}
		n.score(x)
	}
}
