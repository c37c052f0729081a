package surprise

import (
	"math"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

const (
	// level is the weight of a new value in the fast channel's mean.
	level = 0.1
	// topRank is the rank an error must pass to count: only the top tenth
	// of a channel's errors is surprising at all.
	topRank = 0.9
	// gate: an error below gate times the series' range counts in
	// proportion, so a series quiet to the last digit does not make its
	// rounding noise an anomaly.
	gate = 0.02
	// firstRaw is the first point whose error rank counts: ranks among
	// fewer errors mean little.
	firstRaw = 21
	// rangeLag: the range channel compares a value with those at least
	// rangeLag points older, so a climb to a new extreme over a few points
	// is one excursion, not a new record every point.
	rangeLag = 10
	// maxAbs bounds the values the arithmetic sees, so differences and
	// squares of any two stay finite.
	maxAbs = 1e150
)

// Channels, in the order of detector.ranks and detector.liks.
const (
	fast = iota
	season
	channels
)

// detector is one series' state.
type detector struct {
	opts Options
	n    uint64 // values seen
	vals ring   // the last maxLag values
	// lo and hi are the extremes of every value seen; ref holds those of
	// about the last History values at least rangeLag points old.
	lo, hi float64
	ref    reference
	// outside: the previous value was beyond the old range.
	outside bool
	mean    float64 // the fast channel's exponentially weighted mean
	seas    seasonal
	ranks   [channels]ranker
	liks    [channels]likelihood
	// scores are the last Peak scores before the peak stage.
	scores ring
	nov    *novelty // nil with the channel off
}

func newDetector(o Options) *detector {
	d := &detector{opts: o, vals: newRing(maxLag), seas: newSeasonal(), scores: newRing(max(o.Peak, 1)), ref: newReference(o)}
	for c := range channels {
		d.ranks[c] = newRanker(o.RankWindow)
		d.liks[c] = newLikelihood(o)
	}
	if o.Novelty != NoNovelty {
		d.nov = newNovelty(o.Novelty)
	}
	return d
}

// Score returns the highest of the three channels' scores for x, then
// learns x.
func (d *detector) Score(x []float64) (float64, error) {
	if err := sdk.CheckPoint(x, 1); err != nil {
		return 0, err
	}
	return d.step(max(-maxAbs, min(x[0], maxAbs))), nil
}

// ScoreBatch scores xs in order; surprise gains nothing from a batch.
func (d *detector) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	return sdk.ScoreEach(d, xs, out)
}

func (d *detector) step(v float64) float64 {
	score := d.rangeScore(v)
	errs := d.errors(v)
	for c := range channels {
		score = max(score, d.liks[c].step(d.raw(c, errs[c], v), d.opts))
	}
	if d.nov != nil {
		if s := d.nov.score(v); d.n >= uint64(d.opts.Learn) {
			score = max(score, s)
		}
	}
	d.learn(v)
	return d.peak(score)
}

// peak keeps score if it is above every one of the last Peak scores, and
// makes it 0 otherwise: the rest of an incident adds nothing to its peak,
// the way the decision's hysteresis folds it into one alert.
func (d *detector) peak(score float64) float64 {
	if d.opts.Peak == NoPeak {
		return score
	}
	top := 0.0
	for k := 1; k <= d.scores.n; k++ {
		top = max(top, d.scores.back(k))
	}
	d.scores.push(score)
	if score <= top {
		return 0
	}
	return score
}

// errors returns each forecasting channel's absolute error for v, and
// learns v into the seasonal model.
func (d *detector) errors(v float64) (errs [channels]float64) {
	if d.n == 0 {
		return errs
	}
	prev := d.vals.back(1)
	errs[fast] = min(math.Abs(v-prev), math.Abs(v-d.mean))
	errs[season] = math.Abs(v - prev)
	if d.vals.n == maxLag {
		lo, hi := min(d.lo, v), max(d.hi, v)
		span := hi - lo
		if span == 0 {
			span = 1
		}
		errs[season] = d.seas.step(v, &d.vals, lo, span)
	}
	return errs
}

// raw is channel c's surprise at error e in [0, 1]: how far into the top
// tenth of its recent errors e ranks, in proportion to e's size against
// the range of the values before v while it is under gate of it.
func (d *detector) raw(c int, e, v float64) float64 {
	if d.n == 0 {
		return 0
	}
	r := d.ranks[c].rank(e)
	d.ranks[c].add(e)
	if d.n < firstRaw || d.hi <= d.lo {
		return 0
	}
	return max(0, (r-topRank)/(1-topRank)) * small(e, gate*(d.hi-d.lo))
}

// small is e/g up to 1: how much of an error counts while it is under g.
// A range so narrow that g rounds to 0 (subnormal values) counts a zero
// error as 0 and any other as 1, where e/g would be NaN or +Inf.
func small(e, g float64) float64 {
	switch {
	case e >= g && e > 0:
		return 1
	case e >= g:
		return 0
	}
	return e / g
}

// rangeScore is 1 at the first of a run of values beyond the range of
// about the last History values at least rangeLag points older, by more
// than Tolerance of it.
func (d *detector) rangeScore(v float64) float64 {
	if d.vals.n >= rangeLag {
		d.ref.fold(d.vals.back(rangeLag))
	}
	out := false
	if lo, hi, ok := d.ref.bounds(); ok && hi > lo && d.n >= uint64(d.opts.Learn) {
		out = max(v-hi, lo-v)/(hi-lo) > d.opts.Tolerance
	}
	first := out && !d.outside
	d.outside = out
	if first {
		return 1
	}
	return 0
}

func (d *detector) learn(v float64) {
	if d.n == 0 {
		d.lo, d.hi, d.mean = v, v, v
	}
	d.lo, d.hi = min(d.lo, v), max(d.hi, v)
	d.mean += level * (v - d.mean)
	d.vals.push(v)
	d.n++
}
