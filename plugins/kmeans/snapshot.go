package kmeans

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
//	0       3           magic "PKM"
//	3       1           version, 1
//	4       4           diff     uint32, 0 (off) or 1..100
//	8       4           smooth   uint32, 1..100
//	12      4           lag      uint32, 0 (off) or 1..100
//	16      4           k        uint32, 1..64
//	20      4           sample   uint32, calibration distances kept, 2..1024
//	24      8           vectors  uint64, training vectors, ≥ sample and ≥ 2·k
//	                             (every field from diff on is 0 in the
//	                             snapshot of an unfitted instance, and
//	                             nothing follows)
//	32      8·k·(lag+1) centres  float64 bits, finite, centre after centre
//	…       8·sample    cdf      float64 bits: training distances ascending,
//	                             finite and ≥ 0
//	…       8·h         history  float64 bits, finite: the last
//	                             h = diff+smooth+lag raw values, oldest first
//
// The preprocessing is stored because the centres mean nothing without
// it: a restored model scores with the shape it was fitted with, while a
// later Fit uses the instance's own options, as k, iterations and seed are.
const (
	snapshotMagic   = "PKM"
	snapshotVersion = 1
	headerLen       = 32
)

// MarshalBinary writes the fitted model and history, or a header saying
// there is none.
func (d *detector) MarshalBinary() ([]byte, error) {
	m, le := d.model, binary.LittleEndian
	if m == nil {
		b := append([]byte(snapshotMagic), snapshotVersion)
		return append(b, make([]byte, headerLen-4)...), nil
	}
	b := make([]byte, 0, headerLen+8*(len(m.centres)+len(m.cdf)+len(m.hist)))
	b = append(b, snapshotMagic...)
	b = append(b, snapshotVersion)
	for _, v := range []int{m.diff, m.smooth, m.lag, m.k(), len(m.cdf)} {
		b = le.AppendUint32(b, uint32(v))
	}
	b = le.AppendUint64(b, m.vectors)
	for _, v := range m.centres {
		b = le.AppendUint64(b, math.Float64bits(v))
	}
	for _, v := range m.cdf {
		b = le.AppendUint64(b, math.Float64bits(v))
	}
	for i := range m.hist {
		b = le.AppendUint64(b, math.Float64bits(m.hist[(m.pos+i)%len(m.hist)]))
	}
	return b, nil
}

// UnmarshalBinary restores a snapshot of any kmeans instance. It checks
// everything before changing anything, so on error, which wraps
// sdk.ErrBadSnapshot, the instance is untouched.
func (d *detector) UnmarshalBinary(data []byte) error {
	h, err := checkHeader(data)
	if err != nil || h.k == 0 {
		if err == nil {
			d.model = nil
		}
		return err
	}
	r := reader{data: data[headerLen:]}
	centres := make([]float64, h.k*h.width())
	for i := range centres {
		if centres[i] = r.float(); !finite(centres[i]) {
			return badSnapshot("centre value %d is %v, want finite", i, centres[i])
		}
	}
	cdf := make(ecdf.CDF, h.sample)
	for i := range cdf {
		cdf[i] = r.float()
		if !finite(cdf[i]) || cdf[i] < 0 || (i > 0 && cdf[i] < cdf[i-1]) {
			return badSnapshot("calibration distance %d is %v, want finite, ≥ 0, ascending", i, cdf[i])
		}
	}
	hist := make([]float64, h.history())
	for i := range hist {
		if hist[i] = r.float(); !finite(hist[i]) {
			return badSnapshot("history value %d is %v, want finite", i, hist[i])
		}
	}
	m := newModel(h.shape, hist)
	m.vectors, m.centres, m.cdf = h.vectors, centres, cdf
	d.model = m
	return nil
}

// header is the fixed part of a snapshot; k is 0 for an unfitted one.
type header struct {
	shape
	k, sample int
	vectors   uint64
}

// checkHeader validates the fixed header and the length it implies.
func checkHeader(data []byte) (header, error) {
	le := binary.LittleEndian
	switch {
	case len(data) < headerLen:
		return header{}, badSnapshot("%d bytes, shorter than the %d-byte header", len(data), headerLen)
	case !bytes.Equal(data[:3], []byte(snapshotMagic)):
		return header{}, badSnapshot("magic %q, not a kmeans snapshot", data[:3])
	case data[3] != snapshotVersion:
		return header{}, badSnapshot("version %d, this build reads %d", data[3], snapshotVersion)
	}
	if len(data) == headerLen && bytes.Equal(data[4:], make([]byte, headerLen-4)) {
		return header{}, nil // not fitted
	}
	u := func(off int) int { return int(le.Uint32(data[off:])) }
	h := header{shape: shape{diff: u(4), smooth: u(8), lag: u(12)}, k: u(16), sample: u(20), vectors: le.Uint64(data[24:])}
	switch {
	case h.diff > MaxDiff || h.smooth < 1 || h.smooth > MaxSmooth || h.lag > MaxLag:
		return header{}, badSnapshot("diff %d, smooth %d, lag %d: want 0..%d, 1..%d, 0..%d", h.diff, h.smooth, h.lag, MaxDiff, MaxSmooth, MaxLag)
	case h.k < 1 || h.k > MaxK:
		return header{}, badSnapshot("%d centres, out of range 1..%d", h.k, MaxK)
	case h.sample < 2 || h.sample > ecdf.MaxSample || uint64(h.sample) > h.vectors || h.vectors < 2*uint64(h.k):
		return header{}, badSnapshot("%d calibration distances for %d vectors and k %d, want 2..%d, ≤ vectors, vectors ≥ 2·k",
			h.sample, h.vectors, h.k, ecdf.MaxSample)
	}
	if want := headerLen + 8*(h.k*h.width()+h.sample+h.history()); len(data) != want {
		return header{}, badSnapshot("%d bytes, want %d for k %d, lag %d, %d distances and %d history values",
			len(data), want, h.k, h.lag, h.sample, h.history())
	}
	return h, nil
}

// reader decodes little-endian values in sequence; the length was checked.
type reader struct{ data []byte }

func (r *reader) float() float64 {
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.data))
	r.data = r.data[8:]
	return v
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func badSnapshot(format string, args ...any) error {
	return fmt.Errorf("kmeans snapshot: %s: %w", fmt.Sprintf(format, args...), sdk.ErrBadSnapshot)
}
