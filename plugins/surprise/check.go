package surprise

import (
	"fmt"
	"math"
)

// check reports why a decoded state could not have come from an instance
// with d's options, or nil. Scores of any state it accepts stay in [0, 1].
func (d *detector) check() error {
	n := d.n
	if err := d.checkCounts(); err != nil {
		return err
	}
	switch {
	case !bounded(d.lo, d.hi, d.ref.lo, d.ref.hi, d.mean) || !bounded(d.ref.los.values()...) || !bounded(d.ref.his.values()...):
		return fmt.Errorf("%w: extremes or mean not within ±%g", errState, maxAbs)
	case n > 0 && d.lo > d.hi, d.ref.n%blockSize != 0 && d.ref.lo > d.ref.hi, !ordered(d.ref.los.values(), d.ref.his.values()):
		return fmt.Errorf("%w: a low above its high", errState)
	case !bounded(d.vals.values()...):
		return fmt.Errorf("%w: a value not within ±%g", errState, maxAbs)
	case !d.seas.saneAll():
		return fmt.Errorf("%w: seasonal model not finite", errState)
	}
	for c := range channels {
		if err := d.checkChannel(c); err != nil {
			return err
		}
	}
	for _, s := range d.peakScores() {
		if !(s >= 0 && s <= 1) {
			return fmt.Errorf("%w: score %v", errState, s)
		}
	}
	if d.nov != nil {
		return d.nov.check(d.n)
	}
	return nil
}

func (d *detector) checkCounts() error {
	n := d.n
	want := func(got, w uint64, what string) error {
		if got != w {
			return fmt.Errorf("%w: %s %d after %d values, want %d", errState, what, got, n, w)
		}
		return nil
	}
	errs := uint64(0)
	if n > 0 {
		errs = min(n-1, uint64(d.opts.RankWindow))
	}
	for _, err := range []error{
		want(uint64(d.vals.n), min(n, maxLag), "values"),
		want(d.ref.n, n-min(n, rangeLag), "reference count"),
		want(uint64(d.ref.los.n), min(d.ref.n/blockSize, uint64(len(d.ref.los.buf))), "reference block lows"),
		want(uint64(d.ref.his.n), min(d.ref.n/blockSize, uint64(len(d.ref.his.buf))), "reference block highs"),
		want(uint64(d.ranks[fast].ring.n), errs, "fast errors"),
		want(uint64(d.ranks[season].ring.n), errs, "seasonal errors"),
		want(uint64(d.liks[fast].raws.n), min(n, uint64(d.opts.Short)), "fast raws"),
		want(uint64(d.liks[season].raws.n), min(n, uint64(d.opts.Short)), "seasonal raws"),
		want(uint64(len(d.peakScores())), min(n, uint64(max(d.opts.Peak, 0))), "scores"),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

func (d *detector) checkChannel(c int) error {
	l := &d.liks[c]
	for _, e := range d.ranks[c].ring.values() {
		if !(e >= 0) || math.IsInf(e, 0) {
			return fmt.Errorf("%w: error %v", errState, e)
		}
	}
	for _, r := range l.raws.values() {
		if !(r >= 0 && r <= 1) {
			return fmt.Errorf("%w: raw %v", errState, r)
		}
	}
	fitted := l.n >= uint64(d.opts.Learn)
	switch {
	case !finite(l.sum) || !finite(l.ewm) || !(l.ewv >= 0) || math.IsInf(l.ewv, 0):
		return fmt.Errorf("%w: averages' statistics not finite", errState)
	case fitted && !(l.mean >= minMean && l.std >= math.Sqrt(minVar) && finite(l.mean) && finite(l.std)):
		return fmt.Errorf("%w: fitted normal (%v, %v) below its floors", errState, l.mean, l.std)
	case !fitted && (l.mean != 0 || l.std != 0):
		return fmt.Errorf("%w: a normal fitted before %d points", errState, d.opts.Learn)
	case l.lastRed > l.n:
		return fmt.Errorf("%w: last red at %d of %d points", errState, l.lastRed, l.n)
	}
	return nil
}

func bounded(vs ...float64) bool {
	for _, v := range vs {
		if !(v >= -maxAbs && v <= maxAbs) {
			return false
		}
	}
	return true
}

// ordered reports whether each low is at most its high.
func ordered(los, his []float64) bool {
	for i := range los {
		if los[i] > his[i] {
			return false
		}
	}
	return true
}
