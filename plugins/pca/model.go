package pca

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/pynomaly/pynomaly/plugins/internal/ecdf"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// model is a fitted PCA: the standardisation, the kept components and the
// calibration.
type model struct {
	mean, sd []float64
	k        int       // components kept
	v        []float64 // dim×k, row j holds feature j's loadings on each component
	cdf      ecdf.CDF
	free     []float64 // 1−|V_j|²: how much of feature j the components leave out
}

// minFree is the least free share for which a feature is blamed.
const minFree = 1e-12

// prepare derives free from v.
func (m *model) prepare() {
	dim := len(m.v) / m.k
	m.free = make([]float64, dim)
	for j := range dim {
		m.free[j] = 1
		for _, vc := range m.v[j*m.k : j*m.k+m.k] {
			m.free[j] -= vc * vc
		}
	}
}

// fit builds a model of the validated xs keeping k components, or, for
// k = 0, enough to explain variance of the total.
func fit(xs [][]float64, k int, variance float64) (*model, error) {
	dim := len(xs[0])
	m := &model{mean: make([]float64, dim), sd: make([]float64, dim)}
	if err := m.standardisation(xs); err != nil {
		return nil, err
	}
	z := mat.NewDense(len(xs), dim, nil)
	for i, x := range xs {
		m.standardise(x, z.RawRowView(i))
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(len(xs)-1), z.T())
	var eig mat.EigenSym
	if !eig.Factorize(&cov, true) {
		return nil, errors.New("pca fit: eigendecomposition did not converge")
	}
	values := eig.Values(nil) // ascending
	if k == 0 {
		k = componentsFor(values, variance)
	}
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	m.k, m.v = k, make([]float64, dim*k)
	for j := range dim {
		for c := range k {
			m.v[j*k+c] = vecs.At(j, dim-1-c) // largest eigenvalue first
		}
	}
	raw, p := make([]float64, len(xs)), make([]float64, k)
	for i := range xs {
		raw[i] = m.residuals(z.RawRowView(i), p) // z's rows are spent
	}
	m.cdf = ecdf.New(raw)
	m.prepare()
	return m, nil
}

// standardisation sets each feature's mean and standard deviation, 1 for
// a constant feature. Summing x/n cannot overflow; the squared deviations
// can, for values too far apart to standardise, and that is an error.
func (m *model) standardisation(xs [][]float64) error {
	n := float64(len(xs))
	for _, x := range xs {
		for j, v := range x {
			m.mean[j] += v / n
		}
	}
	for _, x := range xs {
		for j, v := range x {
			m.sd[j] += (v - m.mean[j]) * (v - m.mean[j]) / (n - 1)
		}
	}
	for j, s := range m.sd {
		switch {
		case math.IsInf(s, 0):
			return fmt.Errorf("pca fit: feature %d spreads too far to standardise; rescale it: %w", j, sdk.ErrInvalidInput)
		case s == 0:
			m.sd[j] = 1
		default:
			m.sd[j] = math.Sqrt(s)
		}
	}
	return nil
}

// componentsFor returns the fewest of the largest eigenvalues (given
// ascending) whose sum reaches variance of the total, 1..dim−1.
func componentsFor(values []float64, variance float64) int {
	var total float64
	for _, v := range values {
		total += max(v, 0)
	}
	var sum float64
	for k := 1; k < len(values); k++ {
		sum += max(values[len(values)-k], 0)
		if sum >= variance*total {
			return k
		}
	}
	return len(values) - 1
}

// standardise writes x's standardised values into z.
func (m *model) standardise(x, z []float64) {
	for j, v := range x {
		z[j] = (v - m.mean[j]) / m.sd[j]
	}
}

// residuals replaces the standardised point z by its residual z − VVᵀz,
// using p (k long) as scratch, and returns the squared norm of the residual.
func (m *model) residuals(z, p []float64) float64 {
	k := m.k
	clear(p)
	for j, zj := range z {
		row := m.v[j*k : j*k+k]
		for c, vc := range row {
			p[c] += zj * vc
		}
	}
	var e float64
	for j := range z {
		row := m.v[j*k : j*k+k]
		r := z[j]
		for c, vc := range row {
			r -= vc * p[c]
		}
		z[j] = r
		e += r * r
	}
	return e
}
