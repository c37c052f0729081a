package zscore

import (
	"math"
	"slices"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// detector is one series' state.
type detector struct {
	opts Options
	seen uint64 // values pushed, all time
	pos  int    // ring index the next value is written to
	// ring holds the last Window values in ring order, to know which to
	// evict. It grows as values arrive, doubling up to Window, so a series
	// that has seen few values holds little.
	ring []float64
	// order holds ring's indexes sorted by value: the window ascending, so
	// the median is an index and the MAD a binary search. It costs 2 bytes
	// a slot where a sorted copy of the values would cost 8.
	order []uint16
}

// The ring's indexes are stored as uint16: the largest window must fit.
const _ = uint16(MaxWindow - 1)

// firstCap is the ring's capacity at its first value.
const firstCap = 8

func newDetector(o Options) *detector { return &detector{opts: o} }

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
	med, sigma := robustLevel(d.sorted())
	return math.Erf(zscore(x, med, sigma) / math.Sqrt2)
}

func (d *detector) sorted() sortedWindow { return sortedWindow{d.ring, d.order} }

// push writes x over the oldest value once the window is full, moving its
// index in order from the evicted value's place to x's: one search and one
// shift of the indexes between the two places.
func (d *detector) push(x float64) {
	if len(d.ring) < d.opts.Window {
		d.append(x)
	} else {
		i := d.pos
		from := d.sorted().find(d.ring[i], i)
		to := d.sorted().lowerBound(x)
		if to <= from {
			copy(d.order[to+1:from+1], d.order[to:from])
		} else {
			// to counts the evicted value, which leaves from before it.
			to--
			copy(d.order[from:to], d.order[from+1:to+1])
		}
		d.order[to] = uint16(i)
		d.ring[i] = x
	}
	d.pos++
	if d.pos == d.opts.Window {
		d.pos = 0
	}
	d.seen++
}

// append adds x while the window fills, growing the buffers when full.
func (d *detector) append(x float64) {
	if len(d.ring) == cap(d.ring) {
		// Exact sizes: append's would round past the window.
		n := min(max(2*cap(d.ring), firstCap), d.opts.Window)
		d.ring = append(make([]float64, 0, n), d.ring...)
		d.order = append(make([]uint16, 0, n), d.order...)
	}
	i := len(d.ring)
	d.ring = append(d.ring, x)
	d.order = slices.Insert(d.order, d.sorted().lowerBound(x), uint16(i))
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
