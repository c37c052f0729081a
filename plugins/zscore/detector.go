package zscore

import (
	"math"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// detector is one series' state.
type detector struct {
	opts Options
	seen uint64 // values pushed, all time
	pos  int    // ring index the next value is written to
	w    window
}

func newDetector(o Options) *detector {
	return &detector{opts: o, w: newWindow[int16](0, 0, o.Window)}
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
	return robustScore(d.w, x)
}

// robustScore returns erf(z/√2) for the robust z-score of x against the
// non-empty window w.
func robustScore(w window, x float64) float64 {
	med, sigma := w.level()
	return math.Erf(zscore(x, med, sigma) / math.Sqrt2)
}

// push writes x over the oldest value once the window is full. A value the
// window's storage cannot hold exactly moves the window to one that can;
// each time the ring wraps, a window stored wider than a byte a value
// moves to the narrowest storage its values allow, so one odd value costs
// memory for at most two windows' worth of values.
func (d *detector) push(x float64) {
	if !d.w.put(x, d.pos, d.opts.Window) {
		d.w = d.w.widened(x)
		d.w.put(x, d.pos, d.opts.Window)
	}
	d.pos++
	if d.pos == d.opts.Window {
		d.pos = 0
		if d.w.width() > 1 {
			d.w = d.w.narrowed()
		}
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
