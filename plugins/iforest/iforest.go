package iforest

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// detector is one series' instance: its options, once fitted a model, and
// scratch space for the keys of the point being scored.
type detector struct {
	opts  Options
	dim   int
	model *forest // nil until fitted
	keys  []uint64
}

// Fit replaces the model with a forest grown on xs. xs needs at least 2
// rows of dim finite values; otherwise the error wraps sdk.ErrInvalidInput
// and the model is unchanged. Fit does not keep xs.
func (d *detector) Fit(xs [][]float64) error {
	if err := checkRows(xs, d.dim); err != nil {
		return err
	}
	d.model = grow(xs, d.opts)
	return nil
}

func checkRows(xs [][]float64, dim int) error {
	if len(xs) < 2 {
		return fmt.Errorf("iforest fit: %d rows, need at least 2: %w", len(xs), sdk.ErrInvalidInput)
	}
	for i, x := range xs {
		if err := sdk.CheckPoint(x, dim); err != nil {
			return fmt.Errorf("iforest fit: row %d: %w", i, err)
		}
	}
	return nil
}

// Score returns 2^(−mean path length / c(ψ)) for x. It allocates nothing.
func (d *detector) Score(x []float64) (float64, error) {
	if err := sdk.CheckPoint(x, d.dim); err != nil {
		return 0, err
	}
	if d.model == nil {
		return 0, fmt.Errorf("iforest: %w", sdk.ErrNotFitted)
	}
	keys(x, d.keys)
	return d.model.score(d.model.sum(d.keys)), nil
}

// ScoreBatch scores xs into out as Score would, bit for bit, one point
// after another. Walking each tree for a group of points instead (trees in
// the outer loop) measured 40% slower: the default model fits in L2 cache,
// and the interleaved tree walks already hide the load latency.
func (d *detector) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	if len(out) < len(xs) {
		return 0, fmt.Errorf("output has room for %d scores, want %d: %w", len(out), len(xs), sdk.ErrInvalidInput)
	}
	if d.model == nil && len(xs) > 0 {
		_, err := d.Score(xs[0])
		return 0, fmt.Errorf("point 0: %w", err)
	}
	n, err := len(xs), error(nil)
	for i, x := range xs {
		if e := sdk.CheckPoint(x, d.dim); e != nil {
			n, err = i, fmt.Errorf("point %d: %w", i, e)
			break
		}
	}
	for i, x := range xs[:n] {
		keys(x, d.keys)
		out[i] = d.model.score(d.model.sum(d.keys))
	}
	return n, err
}

// Explain attributes x's isolation to features. In each tree, every split
// on x's path credits its feature with ln(rows in the node / rows in the
// branch x took): how much of the training sample that split cut away from
// x, so a tree's credits add up to ln(ψ / rows in x's leaf). Each tree
// counts with weight 1/h(x), its path length, so the trees that isolated x
// quickly, which make a high score, dominate. The shares sum to 1; a model
// whose trees never split (constant training data) gives equal shares.
func (d *detector) Explain(x []float64) ([]float64, error) {
	if _, err := d.Score(x); err != nil {
		return nil, err
	}
	c := make([]float64, d.dim)
	for t := range d.model.roots {
		d.model.credit(t, d.keys, c) // Score left x's keys there
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
