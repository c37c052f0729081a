// Package spike is the detector of the example plugin: a univariate
// streaming detector that scores how far a value lies from an
// exponentially weighted moving mean, in moving standard deviations.
package spike

import (
	"errors"
	"math"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Factory makes spike detectors, one per series: streaming, univariate.
var Factory = sdk.MustStream(sdk.Info{Name: "spike", Version: "2", MaxDim: 1}, score)

// alpha weighs the newest value in the moving mean and variance; the first
// warmup values only teach them.
const alpha, warmup = 0.05, 20

// State is one series' state; the SDK snapshots it as it is.
type State struct {
	N         uint64
	Mean, Var float64
}

// score returns 1-exp(-z²/18) for z the distance of x from the moving
// mean in moving standard deviations (z=3 scores 0.39, z=6 0.86), or 0 for
// the first warmup values, then learns x.
func score(s *State, x []float64) float64 {
	v, score := x[0], 0.0
	if s.N >= warmup {
		score = 1 - math.Exp(-(v-s.Mean)*(v-s.Mean)/math.Max(s.Var, 1e-12)/18)
	}
	if s.N == 0 {
		s.Mean = v
	}
	diff := v - s.Mean
	s.Mean += alpha * diff
	s.Var = (1 - alpha) * (s.Var + alpha*diff*diff)
	s.N++
	return score
}

// Valid rejects a restored snapshot that score cannot work with.
func (s *State) Valid() error {
	if !sdk.Finite(s.Mean, s.Var) || s.Var < 0 {
		return errors.New("mean and variance must be finite, and the variance not negative")
	}
	return nil
}
