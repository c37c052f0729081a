package sdk

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
)

// Step is a streaming detector written as one function: it returns the
// score of x, in [0, 1], given the series' state s, then learns x into s.
// x has been checked (CheckPoint) before Step sees it.
type Step[S any] func(s *S, x []float64) float64

// Validator is implemented by a state that can tell a restored snapshot
// holds values its Step cannot work with (a negative variance, say).
type Validator interface{ Valid() error }

// MustStream builds a streaming detector from its state type and Step,
// and supplies the rest of Detector: input checks, ScoreBatch, and
// snapshots of the state. info.Kind is set to Streaming. S must have a
// fixed size in encoding/binary's sense (numbers, bools, arrays and
// structs of them; no slices, maps or strings): its snapshot is a header
// naming the detector and version, then S little-endian. A restored state
// is checked with Valid when *S implements Validator.
//
// It panics when S has no fixed size, like regexp.MustCompile, so a plugin
// built on it fails in its first test rather than in the field.
func MustStream[S any](info Info, step Step[S]) Factory {
	// Wrapped in a struct because binary.Size gives a top-level slice the
	// size of its current contents, where a slice field has none.
	size := binary.Size(struct{ S S }{})
	if size < 0 {
		panic(fmt.Sprintf("sdk.MustStream: state %T has no fixed size for encoding/binary", *new(S)))
	}
	info.Kind = Streaming
	header := fmt.Appendf([]byte(streamMagic), "%s/%s\x00", info.Name, info.Version)
	return &streamFactory[S]{info: info, step: step, header: header, size: size}
}

// streamMagic starts every MustStream snapshot.
const streamMagic = "PSDK1"

type streamFactory[S any] struct {
	info   Info
	step   Step[S]
	header []byte
	size   int
}

func (f *streamFactory[S]) Info() Info { return f.info }

func (f *streamFactory[S]) New(dim int) (Detector, error) {
	switch {
	case dim < 1:
		return nil, fmt.Errorf("dim %d: want at least 1: %w", dim, ErrInvalidInput)
	case f.info.MaxDim > 0 && dim > f.info.MaxDim:
		return nil, fmt.Errorf("dim %d: %s takes at most %d: %w", dim, f.info.Name, f.info.MaxDim, ErrInvalidInput)
	}
	return &streamDetector[S]{f: f, dim: dim}, nil
}

type streamDetector[S any] struct {
	f   *streamFactory[S]
	dim int
	s   S
}

// Score steps a copy of the state, so that a Step returning a score
// outside [0, 1] leaves the series as it was.
func (d *streamDetector[S]) Score(x []float64) (float64, error) {
	if err := CheckPoint(x, d.dim); err != nil {
		return 0, err
	}
	next := d.s
	score := d.f.step(&next, x)
	if !(score >= 0 && score <= 1) {
		return 0, fmt.Errorf("%s scored %v, outside [0, 1]", d.f.info.Name, score)
	}
	d.s = next
	return score, nil
}

func (d *streamDetector[S]) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	return ScoreEach(d, xs, out)
}

func (d *streamDetector[S]) MarshalBinary() ([]byte, error) {
	return binary.Append(bytes.Clone(d.f.header), binary.LittleEndian, d.s)
}

func (d *streamDetector[S]) UnmarshalBinary(b []byte) error {
	h := d.f.header
	if len(b) != len(h)+d.f.size || !bytes.Equal(b[:len(h)], h) {
		return fmt.Errorf("not a %s snapshot of %d bytes starting %q: %w", d.f.info.Name, len(h)+d.f.size, h, ErrBadSnapshot)
	}
	var s S
	if _, err := binary.Decode(b[len(h):], binary.LittleEndian, &s); err != nil {
		return fmt.Errorf("%s snapshot: %v: %w", d.f.info.Name, err, ErrBadSnapshot)
	}
	if v, ok := any(&s).(Validator); ok {
		if err := v.Valid(); err != nil {
			return fmt.Errorf("%s snapshot: %v: %w", d.f.info.Name, err, ErrBadSnapshot)
		}
	}
	d.s = s
	return nil
}

// Finite reports whether every v is neither NaN nor ±Inf: the usual check
// in a state's Valid.
func Finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v - v) {
			return false
		}
	}
	return true
}
