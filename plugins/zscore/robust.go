package zscore

import (
	"cmp"
	"math"
)

const (
	// madScale makes the MAD a consistent estimator of σ for normal data.
	madScale = 1.4826
	// meanADScale does the same for the mean absolute deviation: √(π/2).
	meanADScale = 1.2533
)

// level returns the median of the non-empty window and a robust σ:
// 1.4826·MAD, or 1.2533·(mean absolute deviation from the median) when the
// MAD is 0 because half the values or more are equal. sigma is 0 only when
// all values are.
func (w *slots[T, I]) level() (med, sigma float64) {
	n := len(w.order)
	hi := w.at(n / 2)
	lo := hi
	if n >= 2 {
		lo = w.at(n/2 - 1)
	}
	med = hi
	if n%2 == 0 {
		med = midpoint(lo, hi)
	}
	if mad := w.medianDeviation(med, lo, hi); mad > 0 {
		return med, madScale * mad
	}
	// Summed in ascending order of the values, as it always was: the
	// rounding, and so the score, depends on the order. Equal values, which
	// a MAD of 0 means there are many of, are converted once.
	var sum, dev float64
	for k, j := range w.order {
		if k == 0 || w.ring[j] != w.ring[w.order[k-1]] {
			dev = math.Abs(w.value(w.ring[j]) - med)
		}
		sum += dev
	}
	return med, meanADScale * sum / float64(n)
}

// medianDeviation returns the median of |v−med| over the window, whose
// middle values (the n/2−1-th and n/2-th smallest) are lo and hi. The
// deviations above med ascend rightwards from it and those below ascend
// leftwards: two sorted lists, whose middle ranks a binary search finds in
// O(log n) without building either.
func (w *slots[T, I]) medianDeviation(med, lo, hi float64) float64 {
	n := len(w.order)
	d := deviations[T, I]{w: w, med: med, split: n / 2}
	// med lies between the middle values, so split is n/2 unless values
	// equal to med come before it: only then is a search needed.
	if n < 2 || !(lo < med && med <= hi) {
		// med is then the middle value itself, whose mantissa is med's.
		key := w.ring[w.order[n/2]]
		if w.limit == 0 {
			key = T(med)
		}
		d.split = w.lowerBound(key)
	}
	if w.limit != 0 {
		d.twice = int64(w.ring[w.order[n/2]]) + int64(w.ring[w.order[(n-1)/2]])
	}
	if n%2 == 1 {
		return d.kth(n / 2)
	}
	return midpoint(d.kth(n/2-1), d.kth(n/2))
}

// deviations views the window as two ascending lists of |v−med|:
// below(i) = med−v(split−1−i) and above(i) = v(split+i)−med, v(k) being
// its k-th smallest value. med−v equals |v−med| exactly for v < med,
// because IEEE subtraction rounds symmetrically.
type deviations[T mantissa, I index] struct {
	w     *slots[T, I]
	med   float64
	split int // number of values below med
	// twice is 2·med in mantissa units, exactly: the sum of the middle
	// mantissas (the middle one twice for odd n). Unused for float64.
	twice int64
}

func (d *deviations[T, I]) below(i int) float64 { return d.med - d.w.at(d.split-1-i) }
func (d *deviations[T, I]) above(i int) float64 { return d.w.at(d.split+i) - d.med }

// compare returns a number of the sign of below(i)−above(j).
// below−above = 2·med−(u+v) for the values u, v they are taken from; on
// mantissas that is an exact integer, and when it is not 0 its sign is
// that of the float64 comparison: mantissas of at most 31 bits lie at
// least one unit apart, which is far more than the float64 roundings of
// med and of the two subtractions can close (decimal.go). So the search
// compares integers, and converts only on a tie, where rounding could
// decide either way.
func (d *deviations[T, I]) compare(i, j int) int64 {
	if d.w.limit != 0 {
		u, v := int64(d.w.ring[d.w.order[d.split-1-i]]), int64(d.w.ring[d.w.order[d.split+j]])
		if diff := d.twice - u - v; diff != 0 {
			return diff
		}
	}
	return d.compareValues(i, j)
}

func (d *deviations[T, I]) compareValues(i, j int) int64 {
	return int64(cmp.Compare(d.below(i), d.above(j)))
}

// kth returns the k-th smallest (0-based) deviation. It searches for t, how
// many of the k+1 smallest come from below, so that the lists' t-th and
// s-th elements (s = k+1−t) are in order across the cut.
func (d *deviations[T, I]) kth(k int) float64 {
	nb, na := d.split, d.w.len()-d.split
	lo, hi := max(0, k+1-na), min(k+1, nb)
	for {
		t := lo + (hi-lo)/2
		s := k + 1 - t
		switch {
		case t > 0 && s < na && d.compare(t-1, s) > 0:
			hi = t - 1
		case s > 0 && t < nb && d.compare(t, s-1) < 0:
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
