package kmeans

// shape is the preprocessing: differences at distance diff (0: none), a
// moving average of smooth of them, and vectors of lag+1 smoothed values.
type shape struct {
	diff, smooth, lag int
}

// history is how many raw values make one feature vector.
func (s shape) history() int { return s.diff + s.smooth + s.lag }

// width is the length of a feature vector.
func (s shape) width() int { return s.lag + 1 }

// vector writes into feat (width values) the feature vector of win, the
// last history() raw values oldest first, using diffs (lag+smooth values)
// as scratch. Fit and Score share it, so a point scores the same whether
// it ended the training series or was scored afterwards.
func (s shape) vector(win, diffs, feat []float64) {
	for i := range diffs {
		diffs[i] = win[i+s.diff]
		if s.diff > 0 {
			diffs[i] -= win[i]
		}
	}
	for j := range feat {
		var sum float64
		for _, d := range diffs[j : j+s.smooth] {
			sum += d
		}
		feat[j] = sum / float64(s.smooth)
	}
}
