package ensemble

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// detector is one series: an instance of every member and, for "rank", a
// window of each member's recent scores.
type detector struct {
	f       *Factory
	dim     int
	members []sdk.Detector
	windows []window  // one per member for Rank, else nil
	scores  []float64 // scratch: the members' scores of one point
	batch   []float64 // scratch: the members' scores of a batch, member-major
}

// Score checks x, scores it with every member (each learns it), and returns
// the combined score. Bad input is rejected before any member sees it, so
// the state is unchanged.
func (d *detector) Score(x []float64) (float64, error) {
	if err := sdk.CheckPoint(x, d.dim); err != nil {
		return 0, err
	}
	for i, m := range d.members {
		s, err := m.Score(x)
		if err != nil {
			// A point CheckPoint passed: only a broken member gets here,
			// and the members before it have learned x.
			return 0, fmt.Errorf("member %d (%s): %w", i, d.f.names[i], err)
		}
		d.scores[i] = s
	}
	return d.combine(d.scores), nil
}

// ScoreBatch scores the valid prefix of xs with each member's ScoreBatch,
// once per member, then combines point by point exactly as Score would.
func (d *detector) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	if len(out) < len(xs) {
		return 0, fmt.Errorf("output has room for %d scores, want %d: %w", len(out), len(xs), sdk.ErrInvalidInput)
	}
	n, bad := d.validPrefix(xs)
	m := len(d.members)
	if cap(d.batch) < n*m {
		d.batch = make([]float64, n*m)
	}
	buf := d.batch[:n*m]
	for i, mem := range d.members {
		got, err := mem.ScoreBatch(xs[:n], buf[i*n:(i+1)*n])
		if err == nil && got != n {
			err = fmt.Errorf("scored %d of %d points", got, n)
		}
		if err != nil {
			return 0, fmt.Errorf("member %d (%s): %w", i, d.f.names[i], err)
		}
	}
	for p := range n {
		for i := range m {
			d.scores[i] = buf[i*n+p]
		}
		out[p] = d.combine(d.scores)
	}
	return n, bad
}

// validPrefix returns how many points of xs pass sdk.CheckPoint before the
// first that does not, and that point's error.
func (d *detector) validPrefix(xs [][]float64) (int, error) {
	for i, x := range xs {
		if err := sdk.CheckPoint(x, d.dim); err != nil {
			return i, fmt.Errorf("point %d: %w", i, err)
		}
	}
	return len(xs), nil
}

// combine folds one point's member scores into the ensemble's score and,
// for Rank, pushes each score into its member's window.
func (d *detector) combine(scores []float64) float64 {
	switch d.f.opts.Method {
	case Max:
		top := scores[0]
		for _, s := range scores[1:] {
			top = max(top, s)
		}
		return top
	case Rank:
		sum := 0.0
		for i, s := range scores {
			sum += d.windows[i].rank(s)
			d.windows[i].push(s, d.f.opts.RankWindow)
		}
		return sum / float64(len(scores))
	}
	sum := 0.0
	for _, s := range scores {
		sum += s
	}
	return sum / float64(len(scores))
}
