package hst

import "slices"

// calibrate maps a mass m to a score in [0, 1]: one minus the empirical
// distribution function of the reference window's in-sample masses at m,
// interpolated linearly between them and down to mass 0. Mass is density,
// so the score says what fraction of the window's own points lie in denser
// places than x:
//
//	m >= the largest window mass          0
//	m  = the i-th smallest (1-based)      1 − i/Window
//	m  < every window point's mass        above 1 − 1/Window
//	m  = 0 (x isolated in every tree)     1
//
// So a threshold of 0.99 flags about 1% of points like the window's, and a
// point emptier than any of them scores above 1 − 1/Window (0.996 for 250).
func (r *reference) calibrate(m float64) float64 {
	ms := r.masses
	i, _ := slices.BinarySearch(ms, m) // ms[i-1] < m <= ms[i]
	if i == len(ms) {
		return 0
	}
	lo := 0.0
	if i > 0 {
		lo = ms[i-1]
	}
	frac := 1.0
	if ms[i] > lo {
		frac = (m - lo) / (ms[i] - lo)
	}
	return 1 - (float64(i)+frac)/float64(len(ms))
}
