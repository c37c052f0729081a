package surprise

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
)

// encode appends the novelty section of the snapshot (snapshot.go).
func (n *novelty) encode(w *writer) {
	if n.learning != nil {
		w.b = append(w.b, 1)
		w.list(n.learning)
		return
	}
	w.b = append(w.b, 0)
	w.f64(n.lo, n.span, n.sum, n.low, n.high)
	w.u32(n.count)
	w.b = append(w.b, boolByte(n.offScale))
	w.list(n.means[noveltyWindow-n.nmeans:])
	w.u32(int(n.off))
	for _, u := range n.units() {
		w.f64(u.rho)
		w.u64(u.t)
		w.u32(u.held)
		w.f64(u.grade)
		w.u32(u.categories())
		w.f64(u.w...)
		w.u64s(u.used)
	}
}

func (n *novelty) units() []*artUnit { return []*artUnit{&n.pattern, &n.point} }

// decode reads what encode wrote into a new channel; check then says
// whether it could have come from one.
func (n *novelty) decode(r *reader) {
	if r.flag() {
		n.learning = append(n.learning, r.list(n.learnRows-1)...)
		return
	}
	n.learning = nil
	n.lo, n.span, n.sum, n.low, n.high = r.f64(), r.f64(), r.f64(), r.f64(), r.f64()
	n.count = r.u32()
	n.offScale = r.flag()
	means := r.list(noveltyWindow)
	n.nmeans = len(means)
	copy(n.means[noveltyWindow-n.nmeans:], means)
	n.off = uint32(r.u32())
	for _, u := range n.units() {
		u.rho = r.f64()
		u.t = r.u64()
		u.held = r.u32()
		u.grade = r.f64()
		k := r.u32()
		if k > noveltyCap {
			r.fail("%d categories, at most %d", k, noveltyCap)
			return
		}
		u.w = make([]float64, k*u.dim)
		r.floats(u.w)
		u.used = make([]uint64, k)
		for j := range u.used {
			u.used[j] = r.u64()
		}
		u.norm = make([]float64, k)
		for j := range k {
			u.norm[j] = sum(u.w[j*u.dim : (j+1)*u.dim])
		}
	}
}

// check reports why the channel's state could not have come from a
// running instance that has seen n values, or nil. What it accepts scores
// in [0, 1].
func (n *novelty) check(seen uint64) error {
	if n.learning != nil {
		switch {
		case uint64(len(n.learning)) > seen:
			return fmt.Errorf("%w: novelty: %d learning values after %d values", errState, len(n.learning), seen)
		case !bounded(n.learning...):
			return fmt.Errorf("%w: novelty: a learning value not within ±%g", errState, maxAbs)
		}
		return nil
	}
	// The scale spans at least the learning values' range and at most
	// twice the largest, and it starts at most that far out.
	switch {
	case !(math.Abs(n.lo) <= 2*maxAbs) || !(n.span > 0 && n.span <= 4*maxAbs):
		return fmt.Errorf("%w: novelty: scale (%v, %v)", errState, n.lo, n.span)
	case n.count >= noveltyBlock:
		return fmt.Errorf("%w: novelty: block of %d values, at most %d", errState, n.count, noveltyBlock-1)
	case n.count == 0 && n.offScale:
		return fmt.Errorf("%w: novelty: an empty block off the scale", errState)
	case !(inUnitInterval(n.low, n.high) && n.low <= n.high && n.sum >= 0 && n.sum <= float64(cmp.Or(n.count, noveltyBlock))):
		// An empty block still holds the last full one's summary.
		return fmt.Errorf("%w: novelty: block summary (%v, %v, %v)", errState, n.sum, n.low, n.high)
	case n.nmeans != noveltyWindow || !inUnitInterval(n.means[:]...):
		// The learning period replayed at least 16 blocks.
		return fmt.Errorf("%w: novelty: %d block means, or one off the scale", errState, n.nmeans)
	case n.off >= 1<<relearnBlocks || bits.OnesCount32(n.off) >= relearnOff:
		return fmt.Errorf("%w: novelty: off-scale blocks %b", errState, n.off)
	}
	for _, u := range n.units() {
		switch {
		case !(u.rho >= 0 && u.rho <= maxVigilance):
			return fmt.Errorf("%w: novelty: vigilance %v", errState, u.rho)
		case u.held < 0 || u.held > u.hold || !(u.grade >= 0) || math.IsInf(u.grade, 0):
			return fmt.Errorf("%w: novelty: hold %d at grade %v", errState, u.held, u.grade)
		case u.categories() == 0 || u.t > seen/noveltyBlock:
			// The replay made at least one category, and a unit sees at
			// most one input per block.
			return fmt.Errorf("%w: novelty: %d categories after %d inputs, %d values", errState, u.categories(), u.t, seen)
		case !inUnitInterval(u.w...):
			return fmt.Errorf("%w: novelty: a weight outside [0, 1]", errState)
		}
		for _, t := range u.used {
			if t == 0 || t > u.t {
				return fmt.Errorf("%w: novelty: a category last used at input %d of %d", errState, t, u.t)
			}
		}
	}
	return nil
}

// inUnitInterval reports whether every x is in [0, 1].
func inUnitInterval(xs ...float64) bool {
	for _, x := range xs {
		if !(x >= 0 && x <= 1) {
			return false
		}
	}
	return true
}
