package hbos

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// detector is one series' instance: its options and, once fitted, a model.
type detector struct {
	opts  Options
	dim   int
	model *model // nil until fitted
}

// Fit replaces the model with histograms of xs. xs needs at least 2 rows
// of dim finite values; otherwise the error wraps sdk.ErrInvalidInput and
// the model is unchanged. Fit does not keep xs.
func (d *detector) Fit(xs [][]float64) error {
	if len(xs) < 2 {
		return fmt.Errorf("hbos fit: %d rows, need at least 2: %w", len(xs), sdk.ErrInvalidInput)
	}
	for i, x := range xs {
		if err := sdk.CheckPoint(x, d.dim); err != nil {
			return fmt.Errorf("hbos fit: row %d: %w", i, err)
		}
	}
	d.model = newModel(xs, d.opts.binsFor(len(xs)))
	return nil
}

// Score returns the fraction of training rows whose raw score is below
// x's. It allocates nothing.
func (d *detector) Score(x []float64) (float64, error) {
	if err := sdk.CheckPoint(x, d.dim); err != nil {
		return 0, err
	}
	if d.model == nil {
		return 0, fmt.Errorf("hbos: %w", sdk.ErrNotFitted)
	}
	return d.model.cdf.At(d.model.raw(x)), nil
}

// ScoreBatch scores xs in order; hbos gains nothing from a batch.
func (d *detector) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	return sdk.ScoreEach(d, xs, out)
}

// Explain returns each feature's share of x's raw score: how rare x's
// value is in that feature's histogram. The shares sum to 1; a point
// whose every value sits in its feature's fullest bin gets equal shares.
func (d *detector) Explain(x []float64) ([]float64, error) {
	if _, err := d.Score(x); err != nil {
		return nil, err
	}
	c := make([]float64, d.dim)
	var sum float64
	for j, v := range x {
		c[j] = d.model.term(j, v)
		sum += c[j]
	}
	for j := range c {
		if sum > 0 {
			c[j] /= sum
		} else {
			c[j] = 1 / float64(d.dim)
		}
	}
	return c, nil
}
