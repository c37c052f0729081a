package detectortest

import (
	"math"
	"math/rand/v2"
)

// Labelled returns n rows of dim features: three Gaussian clusters (sd
// spread, centres uniform in ±10) and, with probability frac, outliers
// uniform in ±15, labelled true. Outliers closer than margin to a centre
// are drawn again: a margin of 5 with spread 1 leaves no label wrong,
// while with margin 0 some fall inside clusters and no detector can tell
// them apart. The same seed gives the same rows.
func Labelled(seed uint64, n, dim int, frac, spread, margin float64) (xs [][]float64, outlier []bool) {
	r := rand.New(rand.NewPCG(seed, 2))
	centres := [][]float64{Uniform(r, dim, 10), Uniform(r, dim, 10), Uniform(r, dim, 10)}
	for range n {
		isOut := r.Float64() < frac
		x := Uniform(r, dim, 15)
		for isOut && nearest(x, centres) < margin {
			x = Uniform(r, dim, 15)
		}
		if !isOut {
			c := centres[r.IntN(len(centres))]
			for j := range x {
				x[j] = c[j] + spread*r.NormFloat64()
			}
		}
		xs, outlier = append(xs, x), append(outlier, isOut)
	}
	return xs, outlier
}

// Uniform returns dim values drawn uniformly from ±half.
func Uniform(r *rand.Rand, dim int, half float64) []float64 {
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

// Noisy returns n draws from N(mean, sd²), the same for the same seed.
func Noisy(seed uint64, n int, mean, sd float64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = mean + sd*r.NormFloat64()
	}
	return xs
}
