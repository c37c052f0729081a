package sdk

import (
	"encoding/binary"
	"fmt"
	"math"
)

// FitFirst adapts a batch detector to a stream: each instance scores its
// first n samples 0 while collecting them, fits the batch detector on them,
// and from then on scores without learning. It is how the agent runs
// iforest, hbos or pca on live data; a control plane that ships a fitted
// model restores it into the instance instead.
func FitFirst(f Factory, n int) (Factory, error) {
	if f.Info().Kind != Batch {
		return nil, fmt.Errorf("%s is a %s detector: fitting on the first samples applies to batch detectors", f.Info().Name, f.Info().Kind)
	}
	if n < 2 {
		return nil, fmt.Errorf("fit on %d samples: want at least 2: %w", n, ErrInvalidInput)
	}
	return &fitFirstFactory{inner: f, n: n}, nil
}

type fitFirstFactory struct {
	inner Factory
	n     int
}

// Info is the inner detector's, as a streaming detector: its name stays
// the same, so alert ids do not depend on how it was fitted.
func (f *fitFirstFactory) Info() Info {
	i := f.inner.Info()
	i.Kind = Streaming
	return i
}

func (f *fitFirstFactory) New(dim int) (Detector, error) {
	d, err := f.inner.New(dim)
	if err != nil {
		return nil, err
	}
	fitter, ok := d.(Fitter)
	if !ok {
		return nil, fmt.Errorf("%s: batch instance without Fit", f.inner.Info().Name)
	}
	inst := &fitFirst{inner: d, fitter: fitter, n: f.n, dim: dim}
	if e, ok := d.(Explainer); ok {
		return &explainingFitFirst{inst, e}, nil
	}
	return inst, nil
}

// fitFirst is one series: collecting until n samples, fitted after.
type fitFirst struct {
	inner  Detector
	fitter Fitter
	n, dim int
	rows   [][]float64 // nil once fitted
	fitted bool
}

func (d *fitFirst) Score(x []float64) (float64, error) {
	if err := CheckPoint(x, d.dim); err != nil {
		return 0, err
	}
	if d.fitted {
		return d.inner.Score(x)
	}
	d.rows = append(d.rows, append([]float64(nil), x...))
	if len(d.rows) < d.n {
		return 0, nil
	}
	if err := d.fitter.Fit(d.rows); err != nil {
		d.rows = d.rows[:len(d.rows)-1]
		return 0, fmt.Errorf("fit on the first %d samples: %w", d.n, err)
	}
	d.rows, d.fitted = nil, true
	return 0, nil
}

func (d *fitFirst) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	return ScoreEach(d, xs, out)
}

type explainingFitFirst struct {
	*fitFirst
	explainer Explainer
}

// Explain attributes nothing while collecting: no model, no blame.
func (d *explainingFitFirst) Explain(x []float64) ([]float64, error) {
	if err := CheckPoint(x, d.dim); err != nil {
		return nil, err
	}
	if !d.fitted {
		return make([]float64, d.dim), nil
	}
	return d.explainer.Explain(x)
}

// Snapshot layout, version 1:
//
//	"FF" | version(1) | fitted(1) | n uint32 | dim uint32 |
//	fitted:     inner snapshot
//	collecting: count uint32 | count*dim float64 bits
const fitFirstVersion = 1

func (d *fitFirst) MarshalBinary() ([]byte, error) {
	b := []byte{'F', 'F', fitFirstVersion, 0}
	b = binary.LittleEndian.AppendUint32(b, uint32(d.n))
	b = binary.LittleEndian.AppendUint32(b, uint32(d.dim))
	if d.fitted {
		b[3] = 1
		inner, err := d.inner.MarshalBinary()
		return append(b, inner...), err
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(d.rows)))
	for _, r := range d.rows {
		for _, v := range r {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b, nil
}

func (d *fitFirst) UnmarshalBinary(data []byte) error {
	bad := func(why string) error { return fmt.Errorf("fit-first snapshot: %s: %w", why, ErrBadSnapshot) }
	if len(data) < 12 || data[0] != 'F' || data[1] != 'F' || data[2] != fitFirstVersion || data[3] > 1 {
		return bad("not a version 1 fit-first snapshot")
	}
	if int(binary.LittleEndian.Uint32(data[4:])) != d.n || int(binary.LittleEndian.Uint32(data[8:])) != d.dim {
		return bad("taken with another sample count or dimension")
	}
	if data[3] == 1 {
		if err := d.inner.UnmarshalBinary(data[12:]); err != nil {
			return err
		}
		d.rows, d.fitted = nil, true
		return nil
	}
	rows, err := decodeRows(data[12:], d.dim, d.n)
	if err != nil {
		return bad(err.Error())
	}
	d.rows, d.fitted = rows, false
	return nil
}

func decodeRows(b []byte, dim, n int) ([][]float64, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("truncated")
	}
	count := int(binary.LittleEndian.Uint32(b))
	b = b[4:]
	if count >= n || len(b) != count*dim*8 {
		return nil, fmt.Errorf("%d rows in %d bytes", count, len(b))
	}
	rows := make([][]float64, count)
	for i := range rows {
		rows[i] = make([]float64, dim)
		for j := range rows[i] {
			v := math.Float64frombits(binary.LittleEndian.Uint64(b))
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("row %d holds %v", i, v)
			}
			rows[i][j] = v
			b = b[8:]
		}
	}
	return rows, nil
}
