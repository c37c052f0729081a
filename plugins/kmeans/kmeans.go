package kmeans

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// detector is one series' instance: its options and, once fitted, a model.
type detector struct {
	opts  Options
	model *model // nil until fitted
}

// Fit replaces the model with one fitted on the series xs, rows of one
// finite value in time order. xs needs Diff+Smooth+Lag−1+2·K rows, enough
// for 2·K feature vectors; otherwise the error wraps sdk.ErrInvalidInput
// and the model is unchanged. Fit does not keep xs.
func (d *detector) Fit(xs [][]float64) error {
	vals := make([]float64, len(xs))
	for i, x := range xs {
		if err := sdk.CheckPoint(x, 1); err != nil {
			return fmt.Errorf("kmeans fit: row %d: %w", i, err)
		}
		vals[i] = x[0]
	}
	m, err := fitModel(vals, d.opts)
	if err != nil {
		return err
	}
	d.model = m
	return nil
}

// Score moves x into the history and returns the fraction of training
// vectors nearer a centre than the new feature vector is. It allocates
// nothing.
func (d *detector) Score(x []float64) (float64, error) {
	if err := sdk.CheckPoint(x, 1); err != nil {
		return 0, err
	}
	if d.model == nil {
		return 0, fmt.Errorf("kmeans: %w", sdk.ErrNotFitted)
	}
	return d.model.score(x[0]), nil
}

// ScoreBatch scores xs in order; kmeans gains nothing from a batch.
func (d *detector) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	return sdk.ScoreEach(d, xs, out)
}
