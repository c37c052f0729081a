package hbos

import (
	"math"
	"slices"

	"github.com/pynomaly/pynomaly/plugins/internal/ecdf"
)

// model is a fitted HBOS: a histogram per feature and the calibration.
type model struct {
	bins   int
	rows   uint64    // training rows
	lo, hi []float64 // each feature's training range
	counts []uint32  // rows per bin, feature after feature
	cost   []float64 // −ln(height) per bin, laid out as counts
	out    []float64 // per feature, the cost of an empty bin and of a value out of range
	cdf    ecdf.CDF
}

// newModel builds the histograms of the validated xs.
func newModel(xs [][]float64, bins int) *model {
	dim := len(xs[0])
	m := &model{bins: bins, rows: uint64(len(xs)), counts: make([]uint32, dim*bins)}
	m.lo, m.hi = slices.Clone(xs[0]), slices.Clone(xs[0])
	for _, x := range xs[1:] {
		for j, v := range x {
			m.lo[j], m.hi[j] = min(m.lo[j], v), max(m.hi[j], v)
		}
	}
	for _, x := range xs {
		for j, v := range x {
			m.counts[j*bins+m.bin(j, v)]++
		}
	}
	m.prepare()
	raw := make([]float64, len(xs))
	for i, x := range xs {
		raw[i] = m.raw(x)
	}
	m.cdf = ecdf.New(raw)
	return m
}

// prepare derives the cost tables from the counts. Heights are counts over
// the feature's fullest bin, so every feature's scale is the same; an empty
// bin counts as half a row.
func (m *model) prepare() {
	dim := len(m.lo)
	m.cost, m.out = make([]float64, len(m.counts)), make([]float64, dim)
	for j := range dim {
		row := m.counts[j*m.bins : (j+1)*m.bins]
		fullest := float64(slices.Max(row))
		m.out[j] = math.Log(2 * fullest)
		for b, c := range row {
			m.cost[j*m.bins+b] = m.out[j]
			if c > 0 {
				m.cost[j*m.bins+b] = math.Log(fullest / float64(c))
			}
		}
	}
}

// bin returns the bin of v in feature j, or −1 when v is outside the
// training range. Halving before subtracting keeps hi−lo from overflowing.
func (m *model) bin(j int, v float64) int {
	lo, hi := m.lo[j], m.hi[j]
	if v < lo || v > hi {
		return -1
	}
	w := hi/2 - lo/2
	if !(w > 0) { // one value, or two so close that halving merged them
		return 0
	}
	return min(int((v/2-lo/2)/w*float64(m.bins)), m.bins-1)
}

// term returns feature j's addend to the raw score of v.
func (m *model) term(j int, v float64) float64 {
	b := m.bin(j, v)
	if b < 0 {
		return m.out[j]
	}
	return m.cost[j*m.bins+b]
}

// raw returns Σ −ln(height), the uncalibrated score of x.
func (m *model) raw(x []float64) float64 {
	var s float64
	for j, v := range x {
		s += m.term(j, v)
	}
	return s
}
