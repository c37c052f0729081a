// Package spike is the detector of the example plugin: a univariate
// streaming detector that scores how far a value lies from an
// exponentially weighted moving mean, in moving standard deviations.
package spike

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Factory makes spike detectors.
type Factory struct{}

// Info describes spike: streaming and univariate.
func (Factory) Info() sdk.Info {
	return sdk.Info{Name: "spike", Version: "1", Kind: sdk.Streaming, MaxDim: 1}
}

// New returns a detector for one series; dim must be 1.
func (Factory) New(dim int) (sdk.Detector, error) {
	if dim != 1 {
		return nil, fmt.Errorf("spike is univariate, got dim %d: %w", dim, sdk.ErrInvalidInput)
	}
	return &Detector{s: state{Magic: magic, Version: 1}}, nil
}

// alpha weighs the newest value in the moving mean and variance; the first
// warmup values only teach them.
const alpha, warmup = 0.05, 20

// state is a series' state and, encoded little-endian as is (28 bytes),
// its snapshot.
type state struct {
	Magic     [3]byte // "SPK"
	Version   uint8   // of the snapshot format: 1
	N         uint64
	Mean, Var float64
}

var magic = [3]byte{'S', 'P', 'K'}

// Detector is one series' spike detector.
type Detector struct{ s state }

// Score returns 1-exp(-z²/18) for z the distance of x from the moving
// mean in moving standard deviations (z=3 scores 0.39, z=6 0.86), or 0 for
// the first warmup values, then learns x.
func (d *Detector) Score(x []float64) (float64, error) {
	if err := sdk.CheckPoint(x, 1); err != nil {
		return 0, err
	}
	s, v, score := &d.s, x[0], 0.0
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
	return score, nil
}

// ScoreBatch scores xs one by one.
func (d *Detector) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	return sdk.ScoreEach(d, xs, out)
}

// MarshalBinary snapshots the state.
func (d *Detector) MarshalBinary() ([]byte, error) {
	return binary.Append(nil, binary.LittleEndian, d.s)
}

// UnmarshalBinary restores a snapshot made by MarshalBinary.
func (d *Detector) UnmarshalBinary(b []byte) error {
	var s state
	n, err := binary.Decode(b, binary.LittleEndian, &s)
	ours := err == nil && n == len(b) && s.Magic == magic && s.Version == 1
	// x-x is NaN for NaN and ±Inf: the mean and variance must be finite.
	if !ours || math.IsNaN(s.Mean-s.Mean) || math.IsNaN(s.Var-s.Var) || s.Var < 0 {
		return fmt.Errorf("not a version 1 spike snapshot (%d bytes): %w", len(b), sdk.ErrBadSnapshot)
	}
	d.s = s
	return nil
}
