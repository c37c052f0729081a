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
