package hbos

import "slices"

// maxSample is the most training scores a model keeps to calibrate with.
const maxSample = 1024

// ecdf is the calibration: a sorted sample of the training rows' raw
// scores, at least 2, all finite and non-negative.
type ecdf []float64

// newECDF sorts raw in place and keeps all of it, or maxSample values at
// evenly spaced ranks from the lowest to the highest.
func newECDF(raw []float64) ecdf {
	slices.Sort(raw)
	n := len(raw)
	if n <= maxSample {
		return ecdf(slices.Clone(raw))
	}
	e := make(ecdf, maxSample)
	for i := range e {
		e[i] = raw[i*(n-1)/(maxSample-1)]
	}
	return e
}

// at returns the fraction of the sample below v, interpolated linearly
// between neighbouring sample values: 0 at or below the lowest, 1 above
// the highest. A value equal to several sample values gets their middle
// rank, so data whose training scores are all equal scores 0.5, not 1.
// NaN, which the detector never produces, would score 1.
func (e ecdf) at(v float64) float64 {
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
