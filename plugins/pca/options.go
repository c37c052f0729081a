package pca

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/internal/params"
)

// Defaults and limits of Options.
const (
	// DefaultVariance is the variance to explain when neither Components
	// nor Variance is set.
	DefaultVariance = 0.95
	// MaxDim bounds the covariance matrix (dim² floats) and the O(dim³)
	// eigendecomposition in Fit.
	MaxDim = 1024
)

// Options configures the detector: set Components or Variance, not both.
// With neither set, Variance is DefaultVariance.
type Options struct {
	// Components is the number of principal components kept, 1..dim−1;
	// the instance's dim is checked when it is made.
	Components int
	// Variance chooses the fewest components that explain this fraction of
	// the standardised features' total variance: (0, 1], and at most dim−1
	// components whatever the fraction.
	Variance float64
}

// validated returns o with defaults filled in, or an error naming the first
// option out of range.
func (o Options) validated() (Options, error) {
	switch {
	case o.Components < 0 || o.Components >= MaxDim:
		return o, fmt.Errorf("components %d out of range: must be 1..%d, or 0 to choose by variance", o.Components, MaxDim-1)
	case o.Components > 0 && o.Variance != 0:
		return o, fmt.Errorf("components %d and variance %v both set: set one", o.Components, o.Variance)
	case o.Components == 0 && o.Variance == 0:
		o.Variance = DefaultVariance
	case o.Components == 0 && !(o.Variance > 0 && o.Variance <= 1):
		return o, fmt.Errorf("variance %v out of range: must be in (0, 1]", o.Variance)
	}
	return o, nil
}

// ParseParams builds Options from string parameters such as the CLI's
// --param components=3. Keys are "components" (an integer) and "variance"
// (a number in (0, 1]); 0 means unset. The result is validated, with
// defaults filled in.
func ParseParams(kv map[string]string) (Options, error) {
	var o Options
	err := params.Bind(kv, params.Fields{
		"components": params.Int(&o.Components),
		"variance":   params.Float(&o.Variance),
	})
	if err != nil {
		return Options{}, err
	}
	return o.validated()
}
