package seasonal

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
//	offset  size      field
//	0       3         magic "PHW"
//	3       1         version, 1
//	4       4         season     uint32  ┐
//	8       8         alpha      float64 │
//	16      8         beta       float64 │ options: must equal
//	24      8         gamma      float64 │ the instance's
//	32      8         mad_alpha  float64 │
//	40      8         clip       float64 ┘
//	48      8         seen       uint64, values learned, all time
//	56      8         level      float64 ┐
//	64      8         trend      float64 │ model, finite;
//	72      8         mad        float64 │ mad and a_m2 >= 0
//	80      8         sum1       float64 │
//	88      8         a_mean     float64 │ warm-up accumulators
//	96      8         a_m2       float64 ┘
//	104     8·season  season     float64 per position, finite
//
// The position in the season is seen mod season and is not stored.
const (
	snapshotMagic   = "PHW"
	snapshotVersion = 1
	headerLen       = 104
)

// MarshalBinary snapshots the instance in the layout above.
func (d *detector) MarshalBinary() ([]byte, error) {
	le := binary.LittleEndian
	b := make([]byte, 0, headerLen+8*len(d.season))
	b = append(b, snapshotMagic...)
	b = append(b, snapshotVersion)
	b = le.AppendUint32(b, uint32(d.opts.Season))
	for _, v := range optionFloats(&d.opts) {
		b = le.AppendUint64(b, math.Float64bits(*v))
	}
	b = le.AppendUint64(b, d.seen)
	for _, v := range d.stateFloats() {
		b = le.AppendUint64(b, math.Float64bits(*v))
	}
	for _, v := range d.season {
		b = le.AppendUint64(b, math.Float64bits(v))
	}
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
	f64 := func(off int) float64 { return math.Float64frombits(le.Uint64(data[off:])) }
	for i, name := range stateNames {
		v := f64(56 + 8*i)
		if math.IsNaN(v) || math.IsInf(v, 0) || (v < 0 && (name == "mad" || name == "a_m2")) {
			return badSnapshot("%s is %v", name, v)
		}
	}
	for i := range d.season {
		if v := f64(headerLen + 8*i); math.IsNaN(v) || math.IsInf(v, 0) {
			return badSnapshot("season slot %d is %v", i, v)
		}
	}
	d.seen = le.Uint64(data[48:])
	d.pos = int(d.seen % uint64(len(d.season)))
	for i, v := range d.stateFloats() {
		*v = f64(56 + 8*i)
	}
	for i := range d.season {
		d.season[i] = f64(headerLen + 8*i)
	}
	return nil
}

// checkHeader validates data's length, header and options against d's.
func (d *detector) checkHeader(data []byte) error {
	le := binary.LittleEndian
	switch {
	case len(data) < headerLen:
		return badSnapshot("%d bytes, shorter than the %d-byte header", len(data), headerLen)
	case !bytes.Equal(data[:3], []byte(snapshotMagic)):
		return badSnapshot("magic %q, not a seasonal snapshot", data[:3])
	case data[3] != snapshotVersion:
		return badSnapshot("version %d, this build reads %d", data[3], snapshotVersion)
	case le.Uint32(data[4:]) != uint32(d.opts.Season):
		return badSnapshot("season %d, instance has %d", le.Uint32(data[4:]), d.opts.Season)
	case len(data) != headerLen+8*d.opts.Season:
		return badSnapshot("%d bytes, want %d for season %d", len(data), headerLen+8*d.opts.Season, d.opts.Season)
	}
	for i, v := range optionFloats(&d.opts) {
		if got := le.Uint64(data[8+8*i:]); got != math.Float64bits(*v) {
			return badSnapshot("%s %v, instance has %v", optionNames[i], math.Float64frombits(got), *v)
		}
	}
	return nil
}

// Names of the float fields, in snapshot order, for error messages.
var (
	optionNames = [...]string{"alpha", "beta", "gamma", "mad_alpha", "clip"}
	stateNames  = [...]string{"level", "trend", "mad", "sum1", "a_mean", "a_m2"}
)

func optionFloats(o *Options) [5]*float64 {
	return [...]*float64{&o.Alpha, &o.Beta, &o.Gamma, &o.MADAlpha, &o.Clip}
}

func (d *detector) stateFloats() [6]*float64 {
	return [...]*float64{&d.level, &d.trend, &d.mad, &d.sum1, &d.aMean, &d.aM2}
}

func badSnapshot(format string, args ...any) error {
	return fmt.Errorf("seasonal snapshot: %s: %w", fmt.Sprintf(format, args...), sdk.ErrBadSnapshot)
}
