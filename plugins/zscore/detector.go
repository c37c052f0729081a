package zscore

import (
	"math"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// detector is one series' state.
type detector struct {
	opts Options
	seen uint64    // values pushed, all time
	pos  int       // ring index the next value is written to
	ring []float64 // the last Window values, in ring order, to know which to evict
	// sorted holds the ring's values ascending, so the median is an index
	// and the MAD a binary search; pushing costs a search and a shift.
	sorted []float64
}

func newDetector(o Options) *detector {
	buf := make([]float64, 2*o.Window)
	return &detector{
		opts:   o,
		ring:   buf[:o.Window:o.Window],
		sorted: buf[o.Window:o.Window],
	}
}

// Score returns erf(z/√2) for the robust z-score of x against the window,
// or 0 during warm-up, then pushes x into the window.
func (d *detector) Score(x []float64) (float64, error) {
	if err := checkSample(x); err != nil {
		return 0, err
	}
	score := d.score(x[0])
	d.push(x[0])
	return score, nil
}

func checkSample(x []float64) error { return sdk.CheckPoint(x, 1) }

// ScoreBatch scores xs in order; zscore gains nothing from a batch.
func (d *detector) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	return sdk.ScoreEach(d, xs, out)
}

func (d *detector) score(x float64) float64 {
	if d.seen < uint64(d.opts.MinSamples) {
		return 0
	}
	med, sigma := robustLevel(d.sorted)
	return math.Erf(zscore(x, med, sigma) / math.Sqrt2)
}

func (d *detector) push(x float64) {
	if d.seen >= uint64(len(d.ring)) {
		d.sorted = removeSorted(d.sorted, d.ring[d.pos])
	}
	d.sorted = insertSorted(d.sorted, x)
	d.ring[d.pos] = x
	d.pos++
	if d.pos == len(d.ring) {
		d.pos = 0
	}
	d.seen++
}

// zscore returns |x−med|/sigma, with the limits the robust scale forces on it.
func zscore(x, med, sigma float64) float64 {
	dev := math.Abs(x - med)
	switch {
	case math.IsInf(sigma, 1):
		// The window spans more than float64 can hold; no point stands
		// out, and Inf/Inf would be NaN.
		return 0
	case sigma > 0:
		return dev / sigma
	case dev == 0:
		return 0
	default:
		// A constant window: any other value is as anomalous as it gets.
		return math.Inf(1)
	}
}
