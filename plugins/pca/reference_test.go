package pca_test

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/pca"
)

// TestMatchesReference checks scores against the specification computed
// another way: components from the SVD of the standardised rows rather
// than the eigenvectors of their covariance, and the empirical CDF of all
// training errors written plainly.
func TestMatchesReference(t *testing.T) {
	xs, _ := labelled(50, 1300, 6, 0.05)
	train, test := xs[:800], xs[800:]
	for _, k := range []int{1, 2, 4} {
		d := mustFitted(t, mustFactory(t, pca.Options{Components: k}), train)
		want := referenceScores(train, test, k)
		for i, x := range test {
			if got := detectortest.MustScore(t, d, x); math.Abs(got-want[i]) > 1e-9 {
				t.Fatalf("k=%d, point %d: score %v, reference %v", k, i, got, want[i])
			}
		}
	}
}

func referenceScores(train, test [][]float64, k int) []float64 {
	n, dim := len(train), len(train[0])
	mean, sd := make([]float64, dim), make([]float64, dim)
	for j := range dim {
		for _, x := range train {
			mean[j] += x[j]
		}
		mean[j] /= float64(n)
		for _, x := range train {
			sd[j] += (x[j] - mean[j]) * (x[j] - mean[j])
		}
		sd[j] = math.Sqrt(sd[j] / float64(n-1))
	}
	standard := func(x []float64) *mat.VecDense {
		z := mat.NewVecDense(dim, nil)
		for j := range dim {
			z.SetVec(j, (x[j]-mean[j])/sd[j])
		}
		return z
	}
	z := mat.NewDense(n, dim, nil)
	for i, x := range train {
		z.SetRow(i, standard(x).RawVector().Data)
	}
	var svd mat.SVD
	svd.Factorize(z, mat.SVDThin)
	var v mat.Dense
	svd.VTo(&v)
	vk := v.Slice(0, dim, 0, k)
	errOf := func(x []float64) float64 {
		zx := standard(x)
		var p, r mat.VecDense
		p.MulVec(vk.T(), zx)
		r.MulVec(vk, &p)
		r.SubVec(zx, &r)
		return mat.Dot(&r, &r)
	}
	errs := make([]float64, n)
	for i, x := range train {
		errs[i] = errOf(x)
	}
	slices.Sort(errs)
	out := make([]float64, len(test))
	for i, x := range test {
		out[i] = plainECDF(errs, errOf(x))
	}
	return out
}

// plainECDF interpolates linearly through (errs[i], i/(n−1)), errs sorted
// and without ties.
func plainECDF(errs []float64, e float64) float64 {
	below := 0
	for _, v := range errs {
		if v < e {
			below++
		}
	}
	switch below {
	case 0:
		return 0
	case len(errs):
		return 1
	}
	a, b := errs[below-1], errs[below]
	return (float64(below-1) + (e-a)/(b-a)) / float64(len(errs)-1)
}
