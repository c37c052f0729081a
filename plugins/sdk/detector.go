package sdk

import "errors"

// Factory creates detector instances and describes the detector.
type Factory interface {
	// Name is the detector's registered name, e.g. "zscore". It is part of
	// every alert id, so it must stay stable across releases.
	Name() string
	// New returns a fresh instance for one series with dim values per sample.
	New(dim int) (Streaming, error)
}

// Streaming is a detector instance that learns as it scores: one per series.
type Streaming interface {
	// Score returns the anomaly score of x in [0, 1], then learns from x.
	// It returns an error wrapping ErrInvalidInput, and leaves the state
	// unchanged, when x is empty, has the wrong length or holds NaN or ±Inf.
	Score(x []float64) (float64, error)
	// MarshalBinary snapshots the instance's state in a versioned format.
	MarshalBinary() ([]byte, error)
	// UnmarshalBinary restores a snapshot; scoring then continues exactly as
	// the snapshotted instance would have.
	UnmarshalBinary(data []byte) error
}

var (
	// ErrInvalidInput marks a sample a detector cannot score.
	ErrInvalidInput = errors.New("invalid input")
	// ErrBadSnapshot marks state bytes that cannot be restored: corrupt,
	// truncated, from another detector or from an unknown format version.
	ErrBadSnapshot = errors.New("bad snapshot")
)
