package seasonal

import "math"

// Warm-up spans two seasons, m = Season values each, and needs no more
// memory than the model: season[i] holds x_i during the first season and
// x_i + x_{m+i} during the second. The first season's sum goes to sum1, and
// a_i = x_i − x_{m+i}, the season-over-season difference, feeds Welford's
// running mean (aMean) and sum of squared deviations (aM2).

func (d *detector) warming() bool { return d.seen < 2*uint64(len(d.season)) }

func (d *detector) warm(x float64) {
	i := d.pos
	if d.seen < uint64(len(d.season)) {
		d.season[i] = x
		d.sum1 = sat(d.sum1 + x)
	} else {
		a := sat(d.season[i] - x)
		delta := sat(a - d.aMean)
		d.aMean = sat(d.aMean + delta/float64(i+1))
		d.aM2 = sat(d.aM2 + math.Abs(delta*sat(a-d.aMean)))
		d.season[i] = sat(d.season[i] + x)
	}
	d.advance()
	if !d.warming() {
		d.initialise()
	}
}

// initialise sets the model from the two seasons, the classic way. With
// season means μ1 and μ2 (μ1 − μ2 = aMean), the trend is T = (μ2 − μ1)/m
// per sample; the seasonal term of position i is the two values' mean less
// the trend line through the season means at that position, c_i = i −
// (m−1)/2 samples from a season's middle:
//
//	s_i = (x_i + x_{m+i})/2 − (μ1 + μ2)/2 − T·c_i
//	level = μ2 + T·(m−1)/2        (at the last warm-up value)
//
// For white noise of variance σ², Var(a_i) = 2σ², so σ² ≈ aM2/(2(m−1)).
// The first forecasts use seasonal terms averaged over only two noisy
// values, so their residuals have variance σ² + σ²/2; mad starts at that
// residual σ over madScale.
func (d *detector) initialise() {
	m := float64(len(d.season))
	mu1 := d.sum1 / m
	mu2 := sat(mu1 - d.aMean)
	trend := -d.aMean / m
	mid := sat(mu1/2 + mu2/2)
	for i, sum := range d.season {
		d.season[i] = sat(sat(sum/2-mid) - trend*(float64(i)-(m-1)/2))
	}
	d.level = sat(mu2 + trend*(m-1)/2)
	d.trend = trend
	d.mad = sat(math.Sqrt(1.5*(d.aM2/(2*(m-1)))) / madScale)
	d.sum1, d.aMean, d.aM2 = 0, 0, 0
}
