package zscore

import (
	"cmp"
	"slices"
)

// sortedWindow is the window ascending: its k-th smallest value is
// ring[order[k]].
type sortedWindow struct {
	ring  []float64
	order []uint16
}

func (w sortedWindow) len() int { return len(w.order) }

// at returns the k-th smallest value (0-based).
func (w sortedWindow) at(k int) float64 { return w.ring[w.order[k]] }

// lowerBound returns the number of values below x. The search is written
// so the compiler can make it branch-free: the window is random data, and
// a mispredicted branch per step costs more than the step.
func (w sortedWindow) lowerBound(x float64) int {
	lo, n := 0, len(w.order)
	for n > 1 {
		half := n / 2
		lo += half * b2i(w.at(lo+half-1) < x)
		n -= half
	}
	if n == 1 {
		lo += b2i(w.at(lo) < x)
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

// find returns the place of ring index i, whose value is x, in order:
// among the values equal to x, which start at lowerBound(x), the one that
// is i. -0 and +0 count as equal, and a zero's sign never reaches a score.
func (w sortedWindow) find(x float64, i int) int {
	k := w.lowerBound(x)
	for int(w.order[k]) != i {
		k++
	}
	return k
}

// sortRing returns the indexes of ring sorted by value, in order's memory.
func sortRing(ring []float64, order []uint16) []uint16 {
	order = order[:0]
	for i := range ring {
		order = append(order, uint16(i))
	}
	slices.SortFunc(order, func(a, b uint16) int { return cmp.Compare(ring[a], ring[b]) })
	return order
}
