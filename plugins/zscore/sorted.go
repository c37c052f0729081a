package zscore

import (
	"cmp"
	"slices"
)

// lowerBound returns the number of values below m. Mantissas of one
// exponent order as their values do (see decimal.go), so the search never
// converts one. It is written so the compiler can make it branch-free: the
// window is random data, and a mispredicted branch per step costs more
// than the step.
func (w *slots[T, I]) lowerBound(m T) int {
	lo, n := 0, len(w.order)
	for n > 1 {
		half := n / 2
		lo += half * b2i(w.ring[w.order[lo+half-1]] < m)
		n -= half
	}
	if n == 1 {
		lo += b2i(w.ring[w.order[lo]] < m)
	}
	return lo
}

// b2i is 1 for true; the compiler turns it into a flag read, not a branch.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// find returns the place of ring index i, whose value is m, in order:
// among the values equal to m, which start at lowerBound(m), the one that
// is i. -0 and +0 count as equal, and a zero's sign never reaches a score.
func (w *slots[T, I]) find(m T, i int) int {
	k := w.lowerBound(m)
	for int(w.order[k]) != i {
		k++
	}
	return k
}

// sortRing sets order to ring's indexes sorted by value.
func (w *slots[T, I]) sortRing() {
	w.order = w.order[:0]
	for i := range w.ring {
		w.order = append(w.order, I(i))
	}
	slices.SortFunc(w.order, func(a, b I) int { return cmp.Compare(w.ring[a], w.ring[b]) })
}
