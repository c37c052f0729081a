package pca

import (
	"fmt"
	"math"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// detector is one series' instance: its options and, once fitted, a model
// and scratch space for scoring.
type detector struct {
	opts    Options
	dim     int
	model   *model    // nil until fitted
	scratch []float64 // dim + k: the standardised point, then its projection
}

// Fit replaces the model with one fitted on xs. xs needs at least 2 rows
// of dim finite values, and no feature may spread beyond what float64 can
// square; otherwise the error wraps sdk.ErrInvalidInput and the model is
// unchanged. Fit does not keep xs.
func (d *detector) Fit(xs [][]float64) error {
	if len(xs) < 2 {
		return fmt.Errorf("pca fit: %d rows, need at least 2: %w", len(xs), sdk.ErrInvalidInput)
	}
	for i, x := range xs {
		if err := sdk.CheckPoint(x, d.dim); err != nil {
			return fmt.Errorf("pca fit: row %d: %w", i, err)
		}
	}
	m, err := fit(xs, d.opts.Components, d.opts.Variance)
	if err != nil {
		return err
	}
	d.setModel(m)
	return nil
}

func (d *detector) setModel(m *model) {
	d.model = m
	if m != nil {
		d.scratch = make([]float64, d.dim+m.k)
	}
}

// Score returns the fraction of training rows whose reconstruction error
// is below x's. It allocates nothing. A point so far out that its error
// overflows scores 1.
func (d *detector) Score(x []float64) (float64, error) {
	if err := sdk.CheckPoint(x, d.dim); err != nil {
		return 0, err
	}
	m := d.model
	if m == nil {
		return 0, fmt.Errorf("pca: %w", sdk.ErrNotFitted)
	}
	z, p := d.scratch[:d.dim], d.scratch[d.dim:]
	m.standardise(x, z)
	return m.cdf.At(m.residuals(z, p)), nil
}

// ScoreBatch scores xs in order; pca gains nothing from a batch.
func (d *detector) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	return sdk.ScoreEach(d, xs, out)
}

// Explain returns each feature's share of the blame for x's residual r:
// r_j²/(1−|V_j|²), V_j feature j's loadings, which is how much of the
// squared error correcting feature j alone would remove. The plain squared
// residual r_j² smears: a shift in a feature the components load heavily
// lands mostly in other features' residuals. With the division, a point
// shifted in one feature always blames that feature most. Features wholly
// inside the subspace (|V_j|² ≈ 1) cannot move the residual and get 0.
// The shares sum to 1; a point on the subspace gets equal shares. When a
// standardised value overflows, the features that overflowed share
// equally.
func (d *detector) Explain(x []float64) ([]float64, error) {
	if _, err := d.Score(x); err != nil {
		return nil, err
	}
	z, p := d.scratch[:d.dim], d.scratch[d.dim:]
	d.model.standardise(x, z)
	c := make([]float64, d.dim)
	big := 0.0
	for j, v := range z {
		if math.IsInf(v, 0) {
			c[j] = 1
		}
		big = max(big, math.Abs(v))
	}
	if math.IsInf(big, 1) {
		return normalise(c), nil
	}
	for j := range z {
		z[j] /= max(big, 1) // the residual is linear in z: shares stay, squares stay finite
	}
	d.model.residuals(z, p)
	for j, r := range z {
		if free := d.model.free[j]; free > minFree {
			c[j] = r * r / free
		}
	}
	return normalise(c), nil
}

func normalise(c []float64) []float64 {
	var sum float64
	for _, v := range c {
		sum += v
	}
	for i := range c {
		if sum > 0 {
			c[i] /= sum
		} else {
			c[i] = 1 / float64(len(c))
		}
	}
	return c
}
