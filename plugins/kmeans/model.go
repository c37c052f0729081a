package kmeans

import (
	"fmt"
	"math"

	"github.com/pynomaly/pynomaly/plugins/internal/ecdf"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// model is a fitted k-means: the centres, the calibration and the moving
// history of raw values.
type model struct {
	shape
	vectors uint64    // training vectors
	centres []float64 // k centres of width values, row after row
	cdf     ecdf.CDF  // distances of the training vectors to their nearest centre
	hist    []float64 // ring of the last history() raw values
	pos     int       // index in hist of the oldest value
	// Scratch for Score, so that it does not allocate.
	win, diffs, feat []float64
}

// fitModel fits a model on the series vals with the validated options o.
func fitModel(vals []float64, o Options) (*model, error) {
	s := o.shape()
	h, w := s.history(), s.width()
	n := len(vals) - h + 1
	if n < 2*o.K {
		return nil, fmt.Errorf("kmeans fit: %d rows give %d feature vectors, need %d rows for %d (2·k): %w",
			len(vals), max(n, 0), h-1+2*o.K, 2*o.K, sdk.ErrInvalidInput)
	}
	m := newModel(s, vals[len(vals)-h:])
	data := make([]float64, n*w)
	for i := range n {
		s.vector(vals[i:i+h], m.diffs, data[i*w:(i+1)*w])
	}
	m.centres = cluster(data, w, o.K, o.Iterations, o.Seed)
	dist := make([]float64, n)
	for i := range dist {
		_, d2 := nearest(m.centres, w, data[i*w:(i+1)*w])
		dist[i] = math.Sqrt(d2)
		if math.IsInf(dist[i], 0) || math.IsNaN(dist[i]) {
			return nil, fmt.Errorf("kmeans fit: values too large to difference and cluster: %w", sdk.ErrInvalidInput)
		}
	}
	m.vectors, m.cdf = uint64(n), ecdf.New(dist)
	return m, nil
}

// newModel returns a model of shape s with a copy of hist, oldest first,
// and its scratch; centres and calibration are the caller's to fill.
func newModel(s shape, hist []float64) *model {
	return &model{
		shape: s,
		hist:  append([]float64(nil), hist...),
		win:   make([]float64, s.history()),
		diffs: make([]float64, s.lag+s.smooth),
		feat:  make([]float64, s.width()),
	}
}

// score pushes v into the history and returns the calibrated distance of
// the new feature vector to its nearest centre.
func (m *model) score(v float64) float64 {
	m.hist[m.pos] = v
	m.pos = (m.pos + 1) % len(m.hist)
	m.window(m.win)
	m.vector(m.win, m.diffs, m.feat)
	_, d2 := nearest(m.centres, m.width(), m.feat)
	return m.cdf.At(math.Sqrt(d2))
}

// window copies the history into dst, oldest first.
func (m *model) window(dst []float64) {
	k := copy(dst, m.hist[m.pos:])
	copy(dst[k:], m.hist[:m.pos])
}

// k returns the number of centres.
func (m *model) k() int { return len(m.centres) / m.width() }
