package zscore

import "math"

const (
	// madScale makes the MAD a consistent estimator of σ for normal data.
	madScale = 1.4826
	// meanADScale does the same for the mean absolute deviation: √(π/2).
	meanADScale = 1.2533
)

// robustLevel returns the median of the non-empty window a and a robust σ:
// 1.4826·MAD, or 1.2533·(mean absolute deviation from the median) when the
// MAD is 0 because half the values or more are equal. sigma is 0 only when
// all values are.
func robustLevel(a sortedWindow) (med, sigma float64) {
	n := a.len()
	med = a.at(n / 2)
	if n%2 == 0 {
		med = midpoint(a.at(n/2-1), med)
	}
	if mad := medianDeviation(a, med); mad > 0 {
		return med, madScale * mad
	}
	// Summed in ascending order of the values, as it always was: the
	// rounding, and so the score, depends on the order.
	var sum float64
	for _, j := range a.order {
		sum += math.Abs(a.ring[j] - med)
	}
	return med, meanADScale * sum / float64(n)
}

// medianDeviation returns the median of |v−med| over the window a. The
// deviations above med ascend rightwards from it and those below ascend
// leftwards: two sorted lists, whose middle ranks a binary search finds in
// O(log n) without building either.
func medianDeviation(a sortedWindow, med float64) float64 {
	n := a.len()
	d := deviations{a: a, med: med, split: n / 2}
	// med lies between the middle values, so split is n/2 unless values
	// equal to med come before it: only then is a search needed.
	if n < 2 || !(a.at(n/2-1) < med && med <= a.at(n/2)) {
		d.split = a.lowerBound(med)
	}
	if n%2 == 1 {
		return d.kth(n / 2)
	}
	return midpoint(d.kth(n/2-1), d.kth(n/2))
}

// deviations views the window a as two ascending lists of |v−med|:
// below(i) = med−a(split−1−i) and above(i) = a(split+i)−med, a(k) being
// its k-th smallest value. med−v equals |v−med| exactly for v < med,
// because IEEE subtraction rounds symmetrically.
type deviations struct {
	a     sortedWindow
	med   float64
	split int // number of values below med
}

func (d deviations) below(i int) float64 { return d.med - d.a.at(d.split-1-i) }
func (d deviations) above(i int) float64 { return d.a.at(d.split+i) - d.med }

// kth returns the k-th smallest (0-based) deviation. It searches for t, how
// many of the k+1 smallest come from below, so that the lists' t-th and
// s-th elements (s = k+1−t) are in order across the cut.
func (d deviations) kth(k int) float64 {
	nb, na := d.split, d.a.len()-d.split
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
