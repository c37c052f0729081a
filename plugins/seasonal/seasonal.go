package seasonal

import (
	"math"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

const (
	// madScale turns a mean absolute residual into σ for normal residuals:
	// √(π/2).
	madScale = 1.2533
	// relTolerance is the relative size below which a residual is rounding
	// error: it floors the scale, so that a series that has been exactly
	// periodic so far (mad 0) is not flagged for a last-bit difference.
	relTolerance = 1e-12
)

// detector is one series' state. Every float in it stays finite: arithmetic
// that could overflow saturates at ±math.MaxFloat64 (see sat), so no
// sequence of finite inputs, nor any accepted snapshot, leads to NaN.
type detector struct {
	opts Options
	seen uint64 // values learned, all time
	pos  int    // position in the season of the next value: seen mod Season
	// level, trend and mad (the mean absolute residual) are set when
	// warm-up ends.
	level, trend, mad float64
	// sum1, aMean and aM2 accumulate during warm-up (see warmup.go) and are
	// zero afterwards.
	sum1, aMean, aM2 float64
	// season holds the seasonal term of each position after warm-up; during
	// it, the first season's values, then the two seasons' sums.
	season []float64
}

// Score returns erf(|r|/(1.2533·mad·√2)) for the residual r of x against
// the one-step-ahead forecast, or 0 during the two warm-up seasons, then
// learns x.
func (d *detector) Score(x []float64) (float64, error) {
	if err := sdk.CheckPoint(x, 1); err != nil {
		return 0, err
	}
	if d.warming() {
		d.warm(x[0])
		return 0, nil
	}
	return d.step(x[0]), nil
}

// ScoreBatch scores xs in order; seasonal gains nothing from a batch.
func (d *detector) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	return sdk.ScoreEach(d, xs, out)
}

// step scores x against the forecast and learns it, Holt-Winters in
// error-correction form with the residual winsorised at Clip·σ:
//
//	level  += trend + α·r
//	trend  += α·β·r
//	s[pos] += γ·(1−α)·r
//	mad     = (1−ρ)·mad + ρ·|r|
//
// which is the classic recursion run on x clipped to forecast ± Clip·σ.
func (d *detector) step(x float64) float64 {
	o := &d.opts
	s := &d.season[d.pos]
	forecast := sat(sat(d.level+d.trend) + *s)
	r := sat(x - forecast)
	sigma := sat(madScale * d.mad)
	score := confidence(math.Abs(r), max(sigma, relTolerance*math.Abs(forecast)))
	// As in ewma, no cap while σ is 0, or the first change would be
	// unlearnable.
	if lim := o.Clip * sigma; lim > 0 {
		r = max(-lim, min(r, lim))
	}
	d.level = sat(sat(d.level+d.trend) + o.Alpha*r)
	d.trend = sat(d.trend + o.Alpha*o.Beta*r)
	*s = sat(*s + o.Gamma*(1-o.Alpha)*r)
	d.mad = sat((1-o.MADAlpha)*d.mad + o.MADAlpha*math.Abs(r))
	d.advance()
	return score
}

func (d *detector) advance() {
	d.seen++
	if d.pos++; d.pos == len(d.season) {
		d.pos = 0
	}
}

// confidence maps a deviation and a standard deviation to the two-sided
// normal confidence erf(dev/(sigma·√2)). With sigma 0 every residual so far
// was 0: a residual of 0 scores 0, any other 1.
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
