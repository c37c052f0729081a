package hst

import (
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Explain attributes x's score to its features. Along x's path in every
// tree, each split sends x from a node of reference mass r_parent to a
// child of mass r_child; the split's feature earns
// log2(r_parent+1) − log2(r_child+1) bits, the information that split gave
// about x being isolated. A split on a feature where x sits with the bulk
// of the window earns about 1 bit or less; the split where x leaves the
// bulk earns many. The credits are summed over all trees and normalised to
// sum to 1; before the first window is full, all are 0.
//
// Explain does not learn, and it returns an error wrapping
// sdk.ErrInvalidInput for the points Score rejects.
func (d *detector) Explain(x []float64) ([]float64, error) {
	if err := sdk.CheckPoint(x, d.dim); err != nil {
		return nil, err
	}
	credit := make([]float64, d.dim)
	if !d.ready() {
		return credit, nil
	}
	d.mass(x, credit)
	total := 0.0
	for _, c := range credit {
		total += c
	}
	if total > 0 {
		for q := range credit {
			credit[q] /= total
		}
	}
	return credit, nil
}
