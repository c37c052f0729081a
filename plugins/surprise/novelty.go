package surprise

import (
	"math"
	"math/bits"
	"slices"
)

// The novelty channel asks whether the recent shape of the series is one it
// has seen, where the other channels ask whether a value was forecast. It
// is Fuzzy ART (Carpenter, Grossberg and Rosen, 1991) on blocks of values:
//
//   - it learns from the first Options.Novelty values, then fixes a scale,
//     the learning values' range widened by half of it on each side, and
//     maps later values onto it, clipped to [0, 1];
//   - every noveltyBlock values make a block, summarised by its mean, its
//     lowest and its highest value;
//   - one Fuzzy ART unit, "pattern", sees the last noveltyWindow block
//     means; another, "point", the last block's mean, lowest and highest;
//   - each unit's vigilance is set from the learning period, by bisection
//     the highest that files its inputs in at most noveltyTarget
//     categories, so that "new" means new for this series; afterwards it
//     drifts so that about noveltyRate of the blocks are new;
//   - an input that makes a new category scores by how far its best match
//     falls short of the vigilance, in units of 1 − vigilance.
//
// The learning period's values are replayed through the units once the
// scale is fixed, so its shapes are known when scoring starts. When
// half of the last relearnBlocks blocks have values off the scale, the
// series has left the range it was learned in for good (a disk that starts
// writing after a quiet first day): the channel forgets and learns again.
const (
	noveltyBlock    = 7
	noveltyWindow   = 8
	noveltyHeadroom = 0.5
	noveltyTarget   = 5
	noveltyRate     = 0.02
	// noveltyCap bounds each unit's categories; at the cap a new one takes
	// the place of the one that resonated least recently.
	noveltyCap = 128
	// noveltyChoice is Fuzzy ART's choice parameter α: small, so the
	// category chosen is the one that needs to grow least.
	noveltyChoice = 0.001
	// maxVigilance keeps 1 − vigilance, the unit grades are measured in,
	// away from 0: without it a long quiet stretch would drive it there,
	// and every small change after it would score 1.
	maxVigilance  = 0.999
	relearnBlocks = 20
	relearnOff    = 10
	// patternGain and pointGain turn a grade into a score. The point unit's
	// is lower: one block out of shape is weaker evidence than eight.
	patternGain = 4
	pointGain   = 0.75
	// pointDim and patternDim are the units' input sizes, complement coded.
	pointDim   = 2 * 3
	patternDim = 2 * noveltyWindow
)

// novelty is the channel's state for one series.
type novelty struct {
	learnRows int
	// learning holds the values of the learning period so far; nil once
	// the scale is fixed.
	learning []float64
	lo, span float64 // the fixed scale: (v − lo)/span, clipped to [0, 1]
	// The block being filled, on the scale.
	sum, low, high float64
	count          int
	offScale       bool // a value of the block was clipped
	// means are the last noveltyWindow blocks' means, oldest first; nmeans
	// how many are held.
	means  [noveltyWindow]float64
	nmeans int
	// off: bit k is set when the block k+1 blocks back had a value off the
	// scale (the last relearnBlocks blocks).
	off            uint32
	pattern, point artUnit
	// in is scratch for a unit's input.
	in [patternDim]float64
}

func newNovelty(rows int) *novelty {
	return &novelty{
		learnRows: rows,
		learning:  make([]float64, 0, rows),
		// A pattern novelty holds weaker ones back for the next 7 blocks,
		// which share most of its window; a point novelty holds nothing.
		pattern: artUnit{dim: patternDim, gain: patternGain, hold: noveltyWindow},
		point:   artUnit{dim: pointDim, gain: pointGain, hold: 0},
	}
}

// score returns the channel's score for v, then learns v.
func (n *novelty) score(v float64) float64 {
	if n.learning != nil {
		n.learning = append(n.learning, v)
		if len(n.learning) == n.learnRows {
			n.fixScale()
		}
		return 0
	}
	if !n.add(v) {
		return 0
	}
	if bits.OnesCount32(n.off) >= relearnOff {
		n.restart()
		return 0
	}
	// The replay filled the pattern window (at least 16 blocks).
	s := n.pattern.judge(n.patternInput())
	return max(s, n.point.judge(n.pointInput()))
}

// add puts v in the block being filled and reports whether that completed
// the block.
func (n *novelty) add(v float64) bool {
	x := (v - n.lo) / n.span
	if !(x >= 0 && x <= 1) {
		n.offScale = true
		x = max(0, min(1, x))
	}
	if n.count == 0 {
		n.sum, n.low, n.high = 0, x, x
	}
	n.sum += x
	n.low, n.high = min(n.low, x), max(n.high, x)
	n.count++
	if n.count < noveltyBlock {
		return false
	}
	n.count = 0
	copy(n.means[:], n.means[1:])
	n.means[noveltyWindow-1] = n.sum / noveltyBlock
	n.nmeans = min(n.nmeans+1, noveltyWindow)
	n.off = (n.off << 1) & (1<<relearnBlocks - 1)
	if n.offScale {
		n.off |= 1
	}
	n.offScale = false
	return true
}

// patternInput and pointInput build a unit's input in the scratch n.in,
// so each result must be used before the other is built.
func (n *novelty) patternInput() []float64 {
	return complement(n.in[:patternDim], n.means[:])
}

func (n *novelty) pointInput() []float64 {
	last := [3]float64{n.means[noveltyWindow-1], n.low, n.high}
	return complement(n.in[:pointDim], last[:])
}

// complement writes xs then 1 − xs into dst, Fuzzy ART's complement
// coding, which makes a category a box rather than a corner.
func complement(dst, xs []float64) []float64 {
	for i, x := range xs {
		dst[i], dst[len(xs)+i] = x, 1-x
	}
	return dst
}

// fixScale ends the learning period: it fixes the scale, sets each unit's
// vigilance from the period's inputs and replays them.
func (n *novelty) fixScale() {
	lo, hi := slices.Min(n.learning), slices.Max(n.learning)
	span := hi - lo
	if span == 0 {
		span = max(math.Abs(lo), 1) * 0.1
	}
	n.lo, n.span = lo-noveltyHeadroom*span, span*(1+2*noveltyHeadroom)
	var patterns, points [][]float64
	for _, v := range n.learning {
		if n.add(v) {
			if n.nmeans == noveltyWindow {
				patterns = append(patterns, slices.Clone(n.patternInput()))
			}
			points = append(points, slices.Clone(n.pointInput()))
		}
	}
	n.learning = nil
	for _, u := range []struct {
		unit *artUnit
		ins  [][]float64
	}{{&n.pattern, patterns}, {&n.point, points}} {
		u.unit.rho = calibrate(u.unit.dim, u.ins)
		for _, in := range u.ins {
			u.unit.step(in)
		}
	}
}

// restart forgets everything but the options and learns again.
func (n *novelty) restart() { *n = *newNovelty(n.learnRows) }

// calibrate bisects for the highest vigilance that files ins in at most
// noveltyTarget categories, to within 2^-20 and at most maxVigilance. The
// count does not always fall with the vigilance in Fuzzy ART, so this is
// the bisection's answer rather than a guaranteed maximum.
func calibrate(dim int, ins [][]float64) float64 {
	lo, hi := 0.0, 1.0
	u := artUnit{dim: dim}
	for range 20 {
		mid := (lo + hi) / 2
		u.w, u.norm, u.used, u.t, u.rho = u.w[:0], u.norm[:0], u.used[:0], 0, mid
		for _, in := range ins {
			u.step(in)
		}
		if u.categories() <= noveltyTarget {
			lo = mid
		} else {
			hi = mid
		}
	}
	return min(lo, maxVigilance)
}

// artUnit is one Fuzzy ART network with fast learning, complement-coded
// inputs of dim values and at most noveltyCap categories.
type artUnit struct {
	dim  int
	gain float64
	hold int // blocks a novelty holds back a weaker one
	rho  float64
	// w holds category j's weights at w[j*dim : (j+1)*dim]; norm[j] is
	// their sum and used[j] the last input it resonated with (or made it).
	w    []float64
	norm []float64
	used []uint64
	t    uint64 // inputs presented
	// held is how many more inputs the hold lasts; grade is the grade of
	// the novelty that started it.
	held  int
	grade float64
}

func (u *artUnit) categories() int { return len(u.used) }

// judge presents in, learns it and scores it: 0 unless it makes a new
// category, else its grade times the unit's gain (at most 1). Within the
// hold of a scored novelty, only a higher grade scores. The vigilance then
// drifts towards noveltyRate new categories per input.
func (u *artUnit) judge(in []float64) float64 {
	rho := u.rho
	novel, best := u.step(in)
	if u.held > 0 {
		u.held--
	}
	slack := 1 - u.rho
	if novel {
		slack *= 1 + noveltyRate
	} else {
		slack /= 1 + noveltyRate*noveltyRate/(1-noveltyRate)
	}
	u.rho = max(0, min(maxVigilance, 1-slack))
	if !novel {
		return 0
	}
	g := max(0, (rho-best)/(1-rho))
	if u.held > 0 && g <= u.grade {
		return 0
	}
	u.held, u.grade = u.hold, g
	return min(1, u.gain*g)
}

// step presents in and learns it: the category of highest choice among
// those that match it within the vigilance shrinks to take it in, or, if
// none does, in becomes a new category. It reports which, and the best
// match of any category.
func (u *artUnit) step(in []float64) (novel bool, best float64) {
	u.t++
	size := float64(u.dim / 2) // |in|, complement coded
	chosen, top := -1, math.Inf(-1)
	for j := range u.used {
		wj := u.w[j*u.dim : (j+1)*u.dim]
		s := 0.0
		for i, x := range in {
			s += min(x, wj[i])
		}
		match := s / size
		best = max(best, match)
		if match >= u.rho {
			if c := s / (noveltyChoice + u.norm[j]); c > top {
				chosen, top = j, c
			}
		}
	}
	j := chosen
	if j >= 0 {
		wj := u.w[j*u.dim : (j+1)*u.dim]
		for i, x := range in {
			wj[i] = min(x, wj[i])
		}
	} else {
		j = u.slot()
		wj := u.w[j*u.dim : (j+1)*u.dim]
		for i, x := range in {
			wj[i] = x
		}
	}
	u.norm[j] = sum(u.w[j*u.dim : (j+1)*u.dim])
	u.used[j] = u.t
	return chosen < 0, best
}

// slot returns the index for a new category: a new one below the cap,
// else the one that resonated least recently.
func (u *artUnit) slot() int {
	if k := len(u.used); k < noveltyCap {
		if k == cap(u.used) {
			// Grow by doubling, but to exactly the cap at most, so that a
			// full unit holds no slack.
			c := min(noveltyCap, max(4, 2*k))
			u.w = append(make([]float64, 0, c*u.dim), u.w...)
			u.norm = append(make([]float64, 0, c), u.norm...)
			u.used = append(make([]uint64, 0, c), u.used...)
		}
		u.w = append(u.w, make([]float64, u.dim)...)
		u.norm = append(u.norm, 0)
		u.used = append(u.used, 0)
		return len(u.used) - 1
	}
	j := 0
	for k, t := range u.used {
		if t < u.used[j] {
			j = k
		}
	}
	return j
}

func sum(w []float64) float64 {
	s := 0.0
	for _, x := range w {
		s += x
	}
	return s
}
