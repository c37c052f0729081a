package pca_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/pca"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// model is what an pca instance implements.
type model interface {
	sdk.Detector
	sdk.Fitter
	sdk.Explainer
}

func mustFactory(tb testing.TB, opts pca.Options) *pca.Factory {
	tb.Helper()
	f, err := pca.New(opts)
	if err != nil {
		tb.Fatalf("New(%+v): %v", opts, err)
	}
	return f
}

func mustInstance(tb testing.TB, f *pca.Factory, dim int) model {
	tb.Helper()
	d, err := f.New(dim)
	if err != nil {
		tb.Fatalf("New(%d): %v", dim, err)
	}
	return d.(model)
}

// mustFitted returns an instance of f fitted on xs.
func mustFitted(tb testing.TB, f *pca.Factory, xs [][]float64) model {
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

// labelled returns n rows of dim features near a plane through 0: three
// Gaussian clusters (sd 1, centres uniform in ±10) in two latent
// coordinates, mapped to dim features by a random linear map, plus noise of
// sd 0.2 in each feature. With probability frac a row is instead an outlier,
// labelled true: uniform in ±15, drawn again while closer than 3 to the
// plane, so no label is wrong; in 2 dimensions the plane is everything,
// so there can be no outliers.
func labelled(seed uint64, n, dim int, frac float64) (xs [][]float64, outlier []bool) {
	if dim < 3 && frac > 0 {
		panic("labelled: outliers need 3 or more dimensions")
	}
	r := rand.New(rand.NewPCG(seed, 2))
	plane := [2][]float64{gaussian(r, dim), gaussian(r, dim)}
	centres := [][]float64{uniform(r, 2, 10), uniform(r, 2, 10), uniform(r, 2, 10)}
	q := orthonormal(plane)
	for range n {
		isOut := r.Float64() < frac
		x := uniform(r, dim, 15)
		for isOut && distance(x, q) < 3 {
			x = uniform(r, dim, 15)
		}
		if !isOut {
			c := centres[r.IntN(len(centres))]
			u, v := c[0]+r.NormFloat64(), c[1]+r.NormFloat64()
			for j := range x {
				x[j] = u*plane[0][j] + v*plane[1][j] + 0.2*r.NormFloat64()
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

func gaussian(r *rand.Rand, dim int) []float64 {
	x := make([]float64, dim)
	for j := range x {
		x[j] = r.NormFloat64()
	}
	return x
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// orthonormal returns an orthonormal basis of the plane by Gram–Schmidt.
func orthonormal(p [2][]float64) [2][]float64 {
	a := slices.Clone(p[0])
	scale(a, 1/math.Sqrt(dot(a, a)))
	b := slices.Clone(p[1])
	ab := dot(a, b)
	for j := range b {
		b[j] -= ab * a[j]
	}
	scale(b, 1/math.Sqrt(dot(b, b)))
	return [2][]float64{a, b}
}

func scale(x []float64, s float64) {
	for j := range x {
		x[j] *= s
	}
}

// distance returns how far x is from the plane of the orthonormal q.
func distance(x []float64, q [2][]float64) float64 {
	a, b := dot(x, q[0]), dot(x, q[1])
	var d float64
	for j := range x {
		r := x[j] - a*q[0][j] - b*q[1][j]
		d += r * r
	}
	return math.Sqrt(d)
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
