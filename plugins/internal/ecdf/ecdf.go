// Package ecdf holds the calibration the batch detectors share: an
// empirical CDF over a sorted sample of the training rows' raw scores,
// which maps any raw score into [0, 1].
package ecdf

import "slices"

// MaxSample is the most training scores a CDF keeps to calibrate with.
const MaxSample = 1024

// CDF is a sorted sample of raw training scores, at least 2, all finite
// and non-negative.
type CDF []float64

// New sorts raw in place and keeps all of it, or MaxSample values at
// evenly spaced ranks from the lowest to the highest.
func New(raw []float64) CDF {
	slices.Sort(raw)
	n := len(raw)
	if n <= MaxSample {
		return CDF(slices.Clone(raw))
	}
	e := make(CDF, MaxSample)
	for i := range e {
		e[i] = raw[i*(n-1)/(MaxSample-1)]
	}
	return e
}

// At returns the fraction of the sample below v, interpolated linearly
// between neighbouring sample values: 0 at or below the lowest, 1 above
// the highest. A value equal to several sample values gets their middle
// rank, so data whose training scores are all equal scores 0.5, not 1.
// NaN, which the detectors never produce, would score 1.
func (e CDF) At(v float64) float64 {
	last := len(e) - 1
	switch {
	case !(v <= e[last]):
		return 1
	case v < e[0]:
		return 0
	}
	lo, _ := slices.BinarySearch(e, v) // first >= v
	if e[lo] == v {
		hi, _ := slices.BinarySearchFunc(e[lo:], v, func(a, b float64) int {
			if a <= b {
				return -1
			}
			return 1
		}) // hi values equal v
		return (float64(lo) + float64(hi-1)/2) / float64(last)
	}
	a, b := e[lo-1], e[lo]
	return (float64(lo-1) + (v-a)/(b-a)) / float64(last)
}
