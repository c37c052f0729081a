package ewma

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Snapshot layout, version 1, all integers little-endian, floats as their
// IEEE-754 bits:
//
//	offset  size  field
//	0       3     magic "PEW"
//	3       1     version, 1
//	4       8     alpha        float64, must equal the instance's
//	12      8     clip         float64, must equal the instance's
//	20      4     min_samples  uint32, must equal the instance's
//	24      8     seen         uint64, values learned, all time
//	32      8     mean         float64, finite
//	40      8     variance     float64, finite, >= 0
//
// 48 bytes in all. The options are stored so that a snapshot is never
// restored into an instance that would continue differently.
const (
	snapshotMagic   = "PEW"
	snapshotVersion = 1
	snapshotLen     = 48
)

// MarshalBinary snapshots the instance in the layout above.
func (d *detector) MarshalBinary() ([]byte, error) {
	le := binary.LittleEndian
	b := make([]byte, 0, snapshotLen)
	b = append(b, snapshotMagic...)
	b = append(b, snapshotVersion)
	b = le.AppendUint64(b, math.Float64bits(d.opts.Alpha))
	b = le.AppendUint64(b, math.Float64bits(d.opts.Clip))
	b = le.AppendUint32(b, uint32(d.opts.MinSamples))
	b = le.AppendUint64(b, d.seen)
	b = le.AppendUint64(b, math.Float64bits(d.mean))
	b = le.AppendUint64(b, math.Float64bits(d.variance))
	return b, nil
}

// UnmarshalBinary restores a snapshot taken by an instance with the same
// Options. It checks everything before changing anything, so on error,
// which wraps sdk.ErrBadSnapshot, the instance is untouched.
func (d *detector) UnmarshalBinary(data []byte) error {
	if err := d.checkHeader(data); err != nil {
		return err
	}
	le := binary.LittleEndian
	mean := math.Float64frombits(le.Uint64(data[32:]))
	variance := math.Float64frombits(le.Uint64(data[40:]))
	switch {
	case math.IsNaN(mean) || math.IsInf(mean, 0):
		return badSnapshot("mean is %v", mean)
	case !(variance >= 0 && variance <= math.MaxFloat64):
		return badSnapshot("variance is %v, want finite and >= 0", variance)
	}
	d.seen, d.mean, d.variance = le.Uint64(data[24:]), mean, variance
	return nil
}

// checkHeader validates data's length, header and options against d's.
func (d *detector) checkHeader(data []byte) error {
	le := binary.LittleEndian
	f64 := func(off int) float64 { return math.Float64frombits(le.Uint64(data[off:])) }
	switch {
	case len(data) < 4:
		return badSnapshot("%d bytes, shorter than the 4-byte header", len(data))
	case !bytes.Equal(data[:3], []byte(snapshotMagic)):
		return badSnapshot("magic %q, not an ewma snapshot", data[:3])
	case data[3] != snapshotVersion:
		return badSnapshot("version %d, this build reads %d", data[3], snapshotVersion)
	case len(data) != snapshotLen:
		return badSnapshot("%d bytes, want %d", len(data), snapshotLen)
	case le.Uint64(data[4:]) != math.Float64bits(d.opts.Alpha):
		return badSnapshot("alpha %v, instance has %v", f64(4), d.opts.Alpha)
	case le.Uint64(data[12:]) != math.Float64bits(d.opts.Clip):
		return badSnapshot("clip %v, instance has %v", f64(12), d.opts.Clip)
	case le.Uint32(data[20:]) != uint32(d.opts.MinSamples):
		return badSnapshot("min_samples %d, instance has %d", le.Uint32(data[20:]), d.opts.MinSamples)
	}
	return nil
}

func badSnapshot(format string, args ...any) error {
	return fmt.Errorf("ewma snapshot: %s: %w", fmt.Sprintf(format, args...), sdk.ErrBadSnapshot)
}
