package hbos

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
//	offset  size        field
//	0       3           magic "PHB"
//	3       1           version, 1
//	4       4           dim     uint32, must equal the instance's
//	8       4           bins    uint32, 2..1000
//	12      4           sample  uint32, calibration scores kept, 2..1024
//	16      8           rows    uint64, training rows, ≥ sample
//	                            (bins, sample and rows are all 0 in the
//	                            snapshot of an unfitted instance, and
//	                            nothing follows)
//	24      16·dim      range   per feature: lo, hi float64 bits, finite, lo ≤ hi
//	…       4·dim·bins  counts  uint32 rows per bin, feature after feature;
//	                            each feature's counts add up to rows
//	…       8·sample    cdf     float64 bits: raw training scores ascending,
//	                            finite and ≥ 0
//
// The cost tables are not stored: restore derives them from the counts
// with the code Fit uses, so a restored model scores bit for bit as the
// original. The bins option is not stored apart from the histograms: a
// later Fit uses the instance's own.
const (
	snapshotMagic   = "PHB"
	snapshotVersion = 1
	headerLen       = 24
)

// MarshalBinary writes the fitted model, or a header saying there is none.
func (d *detector) MarshalBinary() ([]byte, error) {
	m, le := d.model, binary.LittleEndian
	if m == nil {
		m = &model{}
	}
	b := make([]byte, 0, headerLen+16*len(m.lo)+4*len(m.counts)+8*len(m.cdf))
	b = append(b, snapshotMagic...)
	b = append(b, snapshotVersion)
	b = le.AppendUint32(b, uint32(d.dim))
	b = le.AppendUint32(b, uint32(m.bins))
	b = le.AppendUint32(b, uint32(len(m.cdf)))
	b = le.AppendUint64(b, m.rows)
	for j := range m.lo {
		b = le.AppendUint64(b, math.Float64bits(m.lo[j]))
		b = le.AppendUint64(b, math.Float64bits(m.hi[j]))
	}
	for _, c := range m.counts {
		b = le.AppendUint32(b, c)
	}
	for _, v := range m.cdf {
		b = le.AppendUint64(b, math.Float64bits(v))
	}
	return b, nil
}

// UnmarshalBinary restores a model written by an instance of the same dim.
// It checks everything before changing anything, so on error, which wraps
// sdk.ErrBadSnapshot, the instance is untouched.
func (d *detector) UnmarshalBinary(data []byte) error {
	bins, sample, err := d.checkHeader(data)
	if err != nil || bins == 0 {
		if err == nil {
			d.model = nil
		}
		return err
	}
	r := reader{data: data[headerLen:]}
	m := &model{bins: bins, rows: binary.LittleEndian.Uint64(data[16:])}
	m.lo, m.hi = make([]float64, d.dim), make([]float64, d.dim)
	for j := range d.dim {
		m.lo[j], m.hi[j] = r.float(), r.float()
		if !finite(m.lo[j]) || !finite(m.hi[j]) || m.lo[j] > m.hi[j] {
			return badSnapshot("feature %d range [%v, %v]", j, m.lo[j], m.hi[j])
		}
	}
	m.counts = make([]uint32, d.dim*bins)
	for j := range d.dim {
		var sum uint64
		for b := range bins {
			m.counts[j*bins+b] = r.uint32()
			sum += uint64(m.counts[j*bins+b])
		}
		if sum != m.rows {
			return badSnapshot("feature %d counts add up to %d, want %d rows", j, sum, m.rows)
		}
	}
	m.cdf = make(ecdf.CDF, sample)
	for i := range m.cdf {
		m.cdf[i] = r.float()
		if !finite(m.cdf[i]) || m.cdf[i] < 0 || (i > 0 && m.cdf[i] < m.cdf[i-1]) {
			return badSnapshot("calibration score %d is %v, want finite, ≥ 0, ascending", i, m.cdf[i])
		}
	}
	m.prepare()
	d.model = m
	return nil
}

// checkHeader validates the fixed header and the length against d.
func (d *detector) checkHeader(data []byte) (bins, sample int, err error) {
	le := binary.LittleEndian
	switch {
	case len(data) < headerLen:
		return 0, 0, badSnapshot("%d bytes, shorter than the %d-byte header", len(data), headerLen)
	case !bytes.Equal(data[:3], []byte(snapshotMagic)):
		return 0, 0, badSnapshot("magic %q, not an hbos snapshot", data[:3])
	case data[3] != snapshotVersion:
		return 0, 0, badSnapshot("version %d, this build reads %d", data[3], snapshotVersion)
	case le.Uint32(data[4:]) != uint32(d.dim):
		return 0, 0, badSnapshot("dim %d, instance has %d", le.Uint32(data[4:]), d.dim)
	}
	k, s, rows := le.Uint32(data[8:]), le.Uint32(data[12:]), le.Uint64(data[16:])
	switch {
	case k == 0 && s == 0 && rows == 0 && len(data) == headerLen:
		return 0, 0, nil // not fitted
	case k < MinBins || k > MaxBins:
		return 0, 0, badSnapshot("%d bins, out of range %d..%d", k, MinBins, MaxBins)
	case s < 2 || s > ecdf.MaxSample || uint64(s) > rows:
		return 0, 0, badSnapshot("%d calibration scores for %d rows, want 2..%d and ≤ rows", s, rows, ecdf.MaxSample)
	}
	if want := headerLen + 16*d.dim + 4*d.dim*int(k) + 8*int(s); len(data) != want {
		return 0, 0, badSnapshot("%d bytes, want %d for %d bins and %d scores", len(data), want, k, s)
	}
	return int(k), int(s), nil
}

// reader decodes little-endian values in sequence; the length was checked.
type reader struct{ data []byte }

func (r *reader) uint32() uint32 {
	v := binary.LittleEndian.Uint32(r.data)
	r.data = r.data[4:]
	return v
}

func (r *reader) float() float64 {
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.data))
	r.data = r.data[8:]
	return v
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func badSnapshot(format string, args ...any) error {
	return fmt.Errorf("hbos snapshot: %s: %w", fmt.Sprintf(format, args...), sdk.ErrBadSnapshot)
}
