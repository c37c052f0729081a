package harness

import "github.com/pynomaly/pynomaly/plugins/sdk"

// tapFactory hands the pipeline detectors that record each score they
// return, in order, so the harness sees every row's score while the
// pipeline does exactly what it does in the agent. A file is one series,
// so one detector, and its scores arrive in row order.
type tapFactory struct {
	sdk.Factory
	scores *[]float64
}

func (f tapFactory) New(dim int) (sdk.Detector, error) {
	d, err := f.Factory.New(dim)
	if err != nil {
		return nil, err
	}
	return tap{d, f.scores}, nil
}

type tap struct {
	sdk.Detector
	scores *[]float64
}

func (t tap) Score(x []float64) (float64, error) {
	s, err := t.Detector.Score(x)
	if err == nil {
		*t.scores = append(*t.scores, s)
	}
	return s, err
}

func (t tap) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	n, err := t.Detector.ScoreBatch(xs, out)
	*t.scores = append(*t.scores, out[:max(n, 0)]...)
	return n, err
}
