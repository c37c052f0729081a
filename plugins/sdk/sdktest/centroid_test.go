package sdktest

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// centroid is a reference batch detector: Fit learns each feature's mean
// and standard deviation; the score is z/(1+z) for the largest |z|.
type centroidFactory struct {
	bug    bug
	maxDim int
}

func (f centroidFactory) Info() sdk.Info {
	return sdk.Info{Name: "centroid", Version: "1", Kind: sdk.Batch, MaxDim: f.maxDim, Explains: true}
}

func (f centroidFactory) New(dim int) (sdk.Detector, error) {
	if dim < 1 || (f.maxDim > 0 && dim > f.maxDim) {
		return nil, fmt.Errorf("dim %d: %w", dim, sdk.ErrInvalidInput)
	}
	return &centroid{dim: dim, bug: f.bug}, nil
}

type centroid struct {
	dim      int
	bug      bug
	fitted   bool
	mean, sd []float64
}

var errNoRows = fmt.Errorf("no rows to fit: %w", sdk.ErrInvalidInput)

func (d *centroid) Fit(xs [][]float64) error {
	if len(xs) == 0 {
		return errNoRows
	}
	mean, sd := make([]float64, d.dim), make([]float64, d.dim)
	for i, x := range xs {
		if err := sdk.CheckPoint(x, d.dim); err != nil && d.bug != bugFitAcceptsNaN {
			return fmt.Errorf("row %d: %w", i, err)
		}
		for j, v := range x {
			mean[j] += v / float64(len(xs))
		}
	}
	for _, x := range xs {
		for j, v := range x {
			sd[j] += (v - mean[j]) * (v - mean[j]) / float64(len(xs))
		}
	}
	for j := range sd {
		sd[j] = math.Sqrt(sd[j]) + 1e-9
	}
	if d.bug == bugFitWritesRows {
		for _, x := range xs {
			x[0] -= mean[0]
		}
	}
	d.fitted, d.mean, d.sd = true, mean, sd
	return nil
}

func (d *centroid) Score(x []float64) (float64, error) {
	c, err := d.Explain(x)
	if err != nil {
		return 0, err
	}
	z := slices.Max(c)
	return z / (1 + z), nil
}

func (d *centroid) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	return sdk.ScoreEach(d, xs, out)
}

func (d *centroid) Explain(x []float64) ([]float64, error) {
	if err := sdk.CheckPoint(x, d.dim); err != nil {
		return nil, err
	}
	if !d.fitted {
		if d.bug == bugScoresUnfitted {
			return make([]float64, d.dim), nil
		}
		return nil, sdk.ErrNotFitted
	}
	c := make([]float64, d.dim)
	for j, v := range x {
		c[j] = math.Abs(v-d.mean[j]) / d.sd[j]
	}
	return c, nil
}

// Snapshot: "CEN1", dim uint32, fitted byte, then dim means and dim
// standard deviations when fitted.
func (d *centroid) MarshalBinary() ([]byte, error) {
	b := binary.LittleEndian.AppendUint32([]byte("CEN1"), uint32(d.dim))
	if !d.fitted {
		return append(b, 0), nil
	}
	return appendFloats(appendFloats(append(b, 1), d.mean), d.sd), nil
}

func (d *centroid) UnmarshalBinary(b []byte) error {
	if len(b) < 9 || string(b[:4]) != "CEN1" || binary.LittleEndian.Uint32(b[4:]) != uint32(d.dim) || b[8] > 1 {
		return fmt.Errorf("centroid snapshot of %d bytes: %w", len(b), sdk.ErrBadSnapshot)
	}
	if b[8] == 0 {
		if len(b) != 9 {
			return fmt.Errorf("unfitted centroid snapshot of %d bytes: %w", len(b), sdk.ErrBadSnapshot)
		}
		d.fitted, d.mean, d.sd = false, nil, nil
		return nil
	}
	vals, err := readFloats(b[9:], 2*d.dim)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(vals[d.dim:], func(v float64) bool { return v <= 0 }) {
		return fmt.Errorf("centroid snapshot has a standard deviation <= 0: %w", sdk.ErrBadSnapshot)
	}
	d.fitted = d.bug != bugRestoreUnfitted
	d.mean, d.sd = vals[:d.dim], vals[d.dim:]
	return nil
}
