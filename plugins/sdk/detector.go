package sdk

import (
	"errors"
	"fmt"
	"math"
)

// Kind says how a detector learns.
type Kind int

// Detector kinds.
const (
	// Streaming detectors learn as they score.
	Streaming Kind = iota + 1
	// Batch detectors are fitted on a window, then score without learning.
	Batch
)

func (k Kind) String() string {
	switch k {
	case Streaming:
		return "streaming"
	case Batch:
		return "batch"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Info describes a detector.
type Info struct {
	// Name is the detector's registered name, e.g. "zscore". It is part of
	// every alert id, so it must stay stable across releases.
	Name string
	// Version of the algorithm and its state format, e.g. "1".
	Version string
	Kind    Kind
	// MaxDim is the most features a sample may have: 1 for univariate
	// detectors, 0 for any number.
	MaxDim int
	// Explains is true when instances implement Explainer.
	Explains bool
}

// Factory creates detector instances and describes the detector.
type Factory interface {
	Info() Info
	// New returns a fresh instance for one series with dim features per
	// sample. It fails, wrapping ErrInvalidInput, for a dim the detector
	// does not support.
	New(dim int) (Detector, error)
}

// Detector is a detector instance: one per series.
type Detector interface {
	// Score returns the anomaly score of x in [0, 1]; a streaming detector
	// then learns x. It returns an error wrapping ErrInvalidInput, and
	// leaves the state unchanged, when x is empty, has the wrong length or
	// holds NaN or ±Inf. A batch detector not yet fitted returns ErrNotFitted.
	Score(x []float64) (float64, error)
	// ScoreBatch scores xs in order into out[:len(xs)], exactly as calling
	// Score on each in turn would. It stops at the first point Score would
	// reject and returns how many it scored, with that error. It exists so
	// that a batch crosses a plugin boundary in one call.
	ScoreBatch(xs [][]float64, out []float64) (int, error)
	// MarshalBinary snapshots the instance's state in a versioned format.
	MarshalBinary() ([]byte, error)
	// UnmarshalBinary restores a snapshot; scoring then continues exactly as
	// the snapshotted instance would have. Bad data returns an error
	// wrapping ErrBadSnapshot and leaves the instance unchanged.
	UnmarshalBinary(data []byte) error
}

// Fitter is implemented by batch detectors' instances.
type Fitter interface {
	// Fit replaces the model with one fitted on xs (rows of features).
	Fit(xs [][]float64) error
}

// Explainer is implemented by instances that can attribute a score to
// features.
type Explainer interface {
	// Explain returns one non-negative contribution per feature of x, the
	// larger the more that feature made x anomalous. It does not learn.
	Explain(x []float64) ([]float64, error)
}

var (
	// ErrInvalidInput marks a sample a detector cannot score.
	ErrInvalidInput = errors.New("invalid input")
	// ErrBadSnapshot marks state bytes that cannot be restored: corrupt,
	// truncated, from another detector or from an unknown format version.
	ErrBadSnapshot = errors.New("bad snapshot")
	// ErrNotFitted is returned by a batch detector asked to score before
	// it was fitted.
	ErrNotFitted = errors.New("detector not fitted")
)

// CheckPoint reports why x cannot be scored by an instance of dimension
// dim, or nil. Detectors call it first in Score.
func CheckPoint(x []float64, dim int) error {
	if len(x) == 0 {
		return fmt.Errorf("empty sample: %w", ErrInvalidInput)
	}
	if len(x) != dim {
		return fmt.Errorf("sample has %d values, want %d: %w", len(x), dim, ErrInvalidInput)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("value %d is %v: %w", i, v, ErrInvalidInput)
		}
	}
	return nil
}

// ScoreEach implements ScoreBatch with Score, for detectors that gain
// nothing from seeing a batch at once.
func ScoreEach(d Detector, xs [][]float64, out []float64) (int, error) {
	if len(out) < len(xs) {
		return 0, fmt.Errorf("output has room for %d scores, want %d: %w", len(out), len(xs), ErrInvalidInput)
	}
	for i, x := range xs {
		s, err := d.Score(x)
		if err != nil {
			return i, fmt.Errorf("point %d: %w", i, err)
		}
		out[i] = s
	}
	return len(xs), nil
}
