package ewma

import (
	"math"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// detector is one series' state. Every float in it stays finite: arithmetic
// that could overflow saturates at ±math.MaxFloat64 (see sat), so no
// sequence of finite inputs, nor any accepted snapshot, leads to NaN.
type detector struct {
	opts     Options
	seen     uint64  // values learned, all time (saturates)
	mean     float64 // exponentially weighted mean
	variance float64 // exponentially weighted variance around mean, >= 0
}

// Score returns erf(|x−mean|/(σ·√2)) against the estimates from before x,
// or 0 during warm-up, then learns x.
func (d *detector) Score(x []float64) (float64, error) {
	if err := sdk.CheckPoint(x, 1); err != nil {
		return 0, err
	}
	s := d.score(x[0])
	d.learn(x[0])
	return s, nil
}

// ScoreBatch scores xs in order; ewma gains nothing from a batch.
func (d *detector) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	return sdk.ScoreEach(d, xs, out)
}

func (d *detector) warm() bool { return d.seen >= uint64(d.opts.MinSamples) }

func (d *detector) score(x float64) float64 {
	if !d.warm() {
		return 0
	}
	return confidence(math.Abs(sat(x-d.mean)), math.Sqrt(d.variance))
}

// learn folds x into the estimates. The weight of x is max(Alpha, 1/n) for
// the n-th value, so the first values are averaged equally (the estimates
// then match the plain mean and population variance) instead of being
// biased towards the first one.
func (d *detector) learn(x float64) {
	if d.seen == 0 {
		d.mean, d.variance, d.seen = x, 0, 1
		return
	}
	a := max(d.opts.Alpha, 1/(float64(d.seen)+1))
	dev := sat(x - d.mean)
	// Winsorise only once σ means something; at σ = 0 (a constant series
	// so far) a cap of 0 would make the first change unlearnable.
	if lim := d.opts.Clip * math.Sqrt(d.variance); d.warm() && lim > 0 {
		dev = max(-lim, min(dev, lim))
	}
	d.mean = sat(d.mean + a*dev)
	// West's update for weighted variance, written so that no term is
	// 0·Inf: (1−a)·(var + a·dev²).
	d.variance = sat((1-a)*d.variance + (1-a)*a*sat(dev*dev))
	if d.seen < math.MaxUint64 {
		d.seen++
	}
}

// confidence maps a deviation and a standard deviation to the two-sided
// normal confidence erf(dev/(sigma·√2)). With sigma 0 the series has been
// constant: the same value scores 0, any other 1.
func confidence(dev, sigma float64) float64 {
	switch {
	case sigma > 0:
		return math.Erf(dev / sigma / math.Sqrt2)
	case dev == 0:
		return 0
	default:
		return 1
	}
}

// sat saturates an overflowed result at ±math.MaxFloat64.
func sat(v float64) float64 {
	return max(-math.MaxFloat64, min(v, math.MaxFloat64))
}
