package iforest_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/iforest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// model is what an iforest instance implements.
type model interface {
	sdk.Detector
	sdk.Fitter
	sdk.Explainer
}

func mustFactory(tb testing.TB, opts iforest.Options) *iforest.Factory {
	tb.Helper()
	f, err := iforest.New(opts)
	if err != nil {
		tb.Fatalf("New(%+v): %v", opts, err)
	}
	return f
}

func mustInstance(tb testing.TB, f *iforest.Factory, dim int) model {
	tb.Helper()
	d, err := f.New(dim)
	if err != nil {
		tb.Fatalf("New(%d): %v", dim, err)
	}
	return d.(model)
}

// mustFitted returns an instance of f fitted on xs.
func mustFitted(tb testing.TB, f *iforest.Factory, xs [][]float64) model {
	tb.Helper()
	d := mustInstance(tb, f, len(xs[0]))
	if err := d.Fit(xs); err != nil {
		tb.Fatalf("Fit: %v", err)
	}
	return d
}

func mustScore(tb testing.TB, d sdk.Detector, x []float64) float64 {
	tb.Helper()
	s, err := d.Score(x)
	if err != nil {
		tb.Fatalf("Score(%v): %v", x, err)
	}
	if !(s >= 0 && s <= 1) {
		tb.Fatalf("Score(%v) = %v, outside [0, 1]", x, s)
	}
	return s
}

func scoreAll(tb testing.TB, d sdk.Detector, xs [][]float64) []float64 {
	tb.Helper()
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = mustScore(tb, d, x)
	}
	return out
}

func mustSnapshot(tb testing.TB, d sdk.Detector) []byte {
	tb.Helper()
	b, err := d.MarshalBinary()
	if err != nil {
		tb.Fatalf("MarshalBinary: %v", err)
	}
	return b
}

// labelled returns n rows of dim features: Gaussian clusters (three, sd 1,
// centres uniform in ±10) and, with probability frac, outliers uniform in
// ±15, labelled true. Outliers closer than 5 to a centre are drawn again,
// so no label is wrong.
func labelled(seed uint64, n, dim int, frac float64) (xs [][]float64, outlier []bool) {
	r := rand.New(rand.NewPCG(seed, 2))
	centres := make([][]float64, 3)
	for i := range centres {
		centres[i] = uniform(r, dim, 10)
	}
	for range n {
		isOut := r.Float64() < frac
		x := uniform(r, dim, 15)
		for isOut && nearest(x, centres) < 5 {
			x = uniform(r, dim, 15)
		}
		if !isOut {
			c := centres[r.IntN(len(centres))]
			for j := range x {
				x[j] = c[j] + r.NormFloat64()
			}
		}
		xs, outlier = append(xs, x), append(outlier, isOut)
	}
	return xs, outlier
}

func uniform(r *rand.Rand, dim int, half float64) []float64 {
	x := make([]float64, dim)
	for j := range x {
		x[j] = (2*r.Float64() - 1) * half
	}
	return x
}

func nearest(x []float64, centres [][]float64) float64 {
	best := math.Inf(1)
	for _, c := range centres {
		var d float64
		for j := range x {
			d += (x[j] - c[j]) * (x[j] - c[j])
		}
		best = min(best, math.Sqrt(d))
	}
	return best
}

// auc is the ROC area: the probability that a random outlier scores above
// a random inlier, ties counting half (the Mann–Whitney U statistic).
func auc(scores []float64, outlier []bool) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmpFloat(scores[a], scores[b]) })
	var rankSum, pos float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // average 1-based rank of the tie group
		for _, k := range idx[i:j] {
			if outlier[k] {
				rankSum += mid
				pos++
			}
		}
		i = j
	}
	neg := float64(len(scores)) - pos
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
