package sdk_test

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// centre is a batch detector for the transport tests: Fit learns the mean
// of the rows, Score is 1-exp(-d²/dim) for d the distance to it, and Explain
// gives each feature's squared distance. Score panics on the value 42.
type centre struct{}

func (centre) Info() sdk.Info {
	return sdk.Info{Name: "centre", Version: "1", Kind: sdk.Batch, Explains: true}
}

func (centre) New(dim int) (sdk.Detector, error) {
	if dim < 1 {
		return nil, fmt.Errorf("dim %d: %w", dim, sdk.ErrInvalidInput)
	}
	return &centreDet{dim: dim}, nil
}

type centreDet struct {
	dim  int
	mean []float64 // nil until fitted
}

func (d *centreDet) Score(x []float64) (float64, error) {
	e, err := d.Explain(x)
	if err != nil {
		return 0, err
	}
	if x[0] == 42 {
		panic("centre: the answer")
	}
	var d2 float64
	for _, v := range e {
		d2 += v
	}
	return 1 - math.Exp(-d2/float64(d.dim)), nil
}

func (d *centreDet) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	return sdk.ScoreEach(d, xs, out)
}

func (d *centreDet) Explain(x []float64) ([]float64, error) {
	if err := sdk.CheckPoint(x, d.dim); err != nil {
		return nil, err
	}
	if d.mean == nil {
		return nil, sdk.ErrNotFitted
	}
	e := make([]float64, d.dim)
	for i, v := range x {
		e[i] = (v - d.mean[i]) * (v - d.mean[i])
	}
	return e, nil
}

func (d *centreDet) Fit(xs [][]float64) error {
	if len(xs) == 0 {
		return fmt.Errorf("no rows: %w", sdk.ErrInvalidInput)
	}
	mean := make([]float64, d.dim)
	for i, x := range xs {
		if err := sdk.CheckPoint(x, d.dim); err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
		for j, v := range x {
			mean[j] += v / float64(len(xs))
		}
	}
	d.mean = mean
	return nil
}

// Snapshot: "CTR1", then the mean as float64 bits, little-endian.
func (d *centreDet) MarshalBinary() ([]byte, error) {
	if d.mean == nil {
		return nil, sdk.ErrNotFitted
	}
	b := []byte("CTR1")
	for _, v := range d.mean {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b, nil
}

func (d *centreDet) UnmarshalBinary(b []byte) error {
	if len(b) != 4+8*d.dim || string(b[:4]) != "CTR1" {
		return fmt.Errorf("not a centre snapshot of dim %d: %w", d.dim, sdk.ErrBadSnapshot)
	}
	mean := make([]float64, d.dim)
	for i := range mean {
		mean[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[4+8*i:]))
		if math.IsNaN(mean[i]) || math.IsInf(mean[i], 0) {
			return fmt.Errorf("mean %d is %v: %w", i, mean[i], sdk.ErrBadSnapshot)
		}
	}
	d.mean = mean
	return nil
}
