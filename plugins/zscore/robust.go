package zscore

import (
	"math"
	"slices"
)

const (
	// madScale makes the MAD a consistent estimator of σ for normal data.
	madScale = 1.4826
	// meanADScale does the same for the mean absolute deviation: √(π/2).
	meanADScale = 1.2533
)

// robustLevel returns the median of the ascending, non-empty a and a robust
// σ: 1.4826·MAD, or 1.2533·(mean absolute deviation from the median) when
// the MAD is 0 because half the values or more are equal. sigma is 0 only
// when all values are.
func robustLevel(a []float64) (med, sigma float64) {
	n := len(a)
	med = a[n/2]
	if n%2 == 0 {
		med = midpoint(a[n/2-1], med)
	}
	if mad := medianDeviation(a, med); mad > 0 {
		return med, madScale * mad
	}
	var sum float64
	for _, v := range a {
		sum += math.Abs(v - med)
	}
	return med, meanADScale * sum / float64(n)
}

// medianDeviation returns the median of |v−med| over the ascending a. The
// deviations above med ascend rightwards from it and those below ascend
// leftwards: two sorted lists, whose middle ranks a binary search finds in
// O(log n) without building either.
func medianDeviation(a []float64, med float64) float64 {
	j, _ := slices.BinarySearch(a, med)
	d := deviations{a: a, med: med, split: j}
	n := len(a)
	if n%2 == 1 {
		return d.kth(n / 2)
	}
	return midpoint(d.kth(n/2-1), d.kth(n/2))
}

// deviations views the ascending a as two ascending lists of |v−med|:
// below(i) = med−a[split−1−i] and above(i) = a[split+i]−med. med−v equals
// |v−med| exactly for v < med, because IEEE subtraction rounds
// symmetrically.
type deviations struct {
	a     []float64
	med   float64
	split int // first index with a[split] >= med
}

func (d deviations) below(i int) float64 { return d.med - d.a[d.split-1-i] }
func (d deviations) above(i int) float64 { return d.a[d.split+i] - d.med }

// kth returns the k-th smallest (0-based) deviation. It searches for t, how
// many of the k+1 smallest come from below, so that the lists' t-th and
// s-th elements (s = k+1−t) are in order across the cut.
func (d deviations) kth(k int) float64 {
	nb, na := d.split, len(d.a)-d.split
	lo, hi := max(0, k+1-na), min(k+1, nb)
	for {
		t := lo + (hi-lo)/2
		s := k + 1 - t
		switch {
		case t > 0 && s < na && d.below(t-1) > d.above(s):
			hi = t - 1
		case s > 0 && t < nb && d.above(s-1) > d.below(t):
			lo = t + 1
		case t == 0:
			return d.above(s - 1)
		case s == 0:
			return d.below(t - 1)
		default:
			return max(d.below(t-1), d.above(s-1))
		}
	}
}

// midpoint returns (a+b)/2 without overflowing for large finite a and b.
func midpoint(a, b float64) float64 {
	if m := (a + b) / 2; !math.IsInf(m, 0) {
		return m
	}
	return a/2 + b/2
}

// insertSorted adds x to the ascending s, which has room for it.
func insertSorted(s []float64, x float64) []float64 {
	i, _ := slices.BinarySearch(s, x)
	return slices.Insert(s, i, x)
}

// removeSorted removes one copy of x, which s holds, from the ascending s.
// Which of several equal copies goes does not matter; -0 and +0 count as
// equal, and a zero's sign never reaches a score.
func removeSorted(s []float64, x float64) []float64 {
	i, _ := slices.BinarySearch(s, x)
	return slices.Delete(s, i, i+1)
}
