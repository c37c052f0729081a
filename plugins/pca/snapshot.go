package pca

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/pynomaly/pynomaly/plugins/internal/ecdf"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Snapshot layout, version 1, all integers little-endian:
//
//	offset  size      field
//	0       3         magic "PPC"
//	3       1         version, 1
//	4       4         dim         uint32, must equal the instance's
//	8       4         components  uint32 k, 1..dim−1
//	12      4         sample      uint32, calibration scores kept, 2..1024
//	                              (components and sample are both 0 in the
//	                              snapshot of an unfitted instance, and
//	                              nothing follows)
//	16      8·dim     mean        float64 bits per feature, finite
//	…       8·dim     sd          float64 bits per feature, finite, > 0
//	…       8·dim·k   loadings    float64 bits, feature after feature, each
//	                              its loading on component 1..k; |v| ≤ 1
//	…       8·sample  cdf         float64 bits: raw training scores
//	                              ascending, finite and ≥ 0
//
// Restore does not check that the components are orthonormal: a model
// that is not still scores in [0, 1]. A restored model scores bit for bit
// as the original. The options are not stored apart from k: a later Fit
// uses the instance's own.
const (
	snapshotMagic   = "PPC"
	snapshotVersion = 1
	headerLen       = 16
	// maxLoading admits the rounding of unit vectors' entries.
	maxLoading = 1 + 1e-9
)

// MarshalBinary writes the fitted model, or a header saying there is none.
func (d *detector) MarshalBinary() ([]byte, error) {
	m, le := d.model, binary.LittleEndian
	if m == nil {
		m = &model{}
	}
	b := make([]byte, 0, headerLen+8*(len(m.mean)+len(m.sd)+len(m.v)+len(m.cdf)))
	b = append(b, snapshotMagic...)
	b = append(b, snapshotVersion)
	b = le.AppendUint32(b, uint32(d.dim))
	b = le.AppendUint32(b, uint32(m.k))
	b = le.AppendUint32(b, uint32(len(m.cdf)))
	for _, s := range [][]float64{m.mean, m.sd, m.v, m.cdf} {
		for _, v := range s {
			b = le.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b, nil
}

// UnmarshalBinary restores a model written by an instance of the same dim.
// It checks everything before changing anything, so on error, which wraps
// sdk.ErrBadSnapshot, the instance is untouched.
func (d *detector) UnmarshalBinary(data []byte) error {
	k, sample, err := d.checkHeader(data)
	if err != nil || k == 0 {
		if err == nil {
			d.setModel(nil)
		}
		return err
	}
	r := reader{data: data[headerLen:]}
	m := &model{k: k}
	checks := []struct {
		name string
		dst  *[]float64
		n    int
		ok   func(i int, v float64, s []float64) bool
	}{
		{"mean", &m.mean, d.dim, func(int, float64, []float64) bool { return true }},
		{"sd", &m.sd, d.dim, func(_ int, v float64, _ []float64) bool { return v > 0 }},
		{"loading", &m.v, d.dim * k, func(_ int, v float64, _ []float64) bool { return math.Abs(v) <= maxLoading }},
		{"calibration score", (*[]float64)(&m.cdf), sample, func(i int, v float64, s []float64) bool { return v >= 0 && (i == 0 || v >= s[i-1]) }},
	}
	for _, c := range checks {
		*c.dst = make([]float64, c.n)
		for i := range *c.dst {
			v := r.float()
			if math.IsNaN(v) || math.IsInf(v, 0) || !c.ok(i, v, *c.dst) {
				return badSnapshot("%s %d is %v", c.name, i, v)
			}
			(*c.dst)[i] = v
		}
	}
	m.prepare()
	d.setModel(m)
	return nil
}

// checkHeader validates the fixed header and the length against d.
func (d *detector) checkHeader(data []byte) (k, sample int, err error) {
	le := binary.LittleEndian
	switch {
	case len(data) < headerLen:
		return 0, 0, badSnapshot("%d bytes, shorter than the %d-byte header", len(data), headerLen)
	case !bytes.Equal(data[:3], []byte(snapshotMagic)):
		return 0, 0, badSnapshot("magic %q, not a pca snapshot", data[:3])
	case data[3] != snapshotVersion:
		return 0, 0, badSnapshot("version %d, this build reads %d", data[3], snapshotVersion)
	case le.Uint32(data[4:]) != uint32(d.dim):
		return 0, 0, badSnapshot("dim %d, instance has %d", le.Uint32(data[4:]), d.dim)
	}
	c, s := le.Uint32(data[8:]), le.Uint32(data[12:])
	switch {
	case c == 0 && s == 0 && len(data) == headerLen:
		return 0, 0, nil // not fitted
	case c < 1 || c >= uint32(d.dim):
		return 0, 0, badSnapshot("%d components, want 1..%d", c, d.dim-1)
	case s < 2 || s > ecdf.MaxSample:
		return 0, 0, badSnapshot("%d calibration scores, want 2..%d", s, ecdf.MaxSample)
	}
	if want := headerLen + 8*(2*d.dim+d.dim*int(c)+int(s)); len(data) != want {
		return 0, 0, badSnapshot("%d bytes, want %d for %d components and %d scores", len(data), want, c, s)
	}
	return int(c), int(s), nil
}

// reader decodes little-endian float64s in sequence; the length was checked.
type reader struct{ data []byte }

func (r *reader) float() float64 {
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.data))
	r.data = r.data[8:]
	return v
}

func badSnapshot(format string, args ...any) error {
	return fmt.Errorf("pca snapshot: %s: %w", fmt.Sprintf(format, args...), sdk.ErrBadSnapshot)
}
