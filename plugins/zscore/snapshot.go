package zscore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Snapshot layout, version 2, all integers little-endian:
//
//	offset  size      field
//	0       3         magic "PZS"
//	3       1         version, 2
//	4       4         window       uint32, must equal the instance's
//	8       4         min_samples  uint32, must equal the instance's
//	12      8         seen         uint64, values pushed, all time
//	20      4         pos          uint32, ring index of the next write
//	24      8·n       ring         float64 bits, ring order (not time order)
//
// n is min(seen, window): the ring fills from slot 0, so its filled slots
// come first. It is stored in ring order, so a restored instance evicts
// values in the same order. The sorted order is not stored: restore
// rebuilds it, and since it depends only on the values, scores continue
// bit-identically.
//
// Version 1 (up to 0.x; still read) stored the whole ring, n = window,
// slots not filled yet as zeros, which restore ignores: a series that had
// seen one value cost 8·window bytes.
const (
	snapshotMagic   = "PZS"
	snapshotVersion = 2
	snapshotV1      = 1
	headerLen       = 24
)

// MarshalBinary snapshots the instance in the layout above.
func (d *detector) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, headerLen+8*len(d.ring))
	b = append(b, snapshotMagic...)
	b = append(b, snapshotVersion)
	b = binary.LittleEndian.AppendUint32(b, uint32(d.opts.Window))
	b = binary.LittleEndian.AppendUint32(b, uint32(d.opts.MinSamples))
	b = binary.LittleEndian.AppendUint64(b, d.seen)
	b = binary.LittleEndian.AppendUint32(b, uint32(d.pos))
	for _, v := range d.ring {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b, nil
}

// UnmarshalBinary restores a snapshot, of either version, taken by an
// instance with the same Options. It checks everything before changing
// anything, so on error, which wraps sdk.ErrBadSnapshot, the instance is
// untouched.
func (d *detector) UnmarshalBinary(data []byte) error {
	seen, pos, err := d.checkHeader(data)
	if err != nil {
		return err
	}
	ring := data[headerLen:]
	for i := range len(ring) / 8 {
		if v := math.Float64frombits(binary.LittleEndian.Uint64(ring[8*i:])); math.IsNaN(v) || math.IsInf(v, 0) {
			return badSnapshot("ring slot %d holds %v", i, v)
		}
	}
	n := int(min(seen, uint64(d.opts.Window)))
	if cap(d.ring) < n {
		d.ring, d.order = make([]float64, 0, n), make([]uint16, 0, n)
	}
	d.ring = d.ring[:n]
	for i := range d.ring {
		d.ring[i] = math.Float64frombits(binary.LittleEndian.Uint64(ring[8*i:]))
	}
	d.seen, d.pos = seen, pos
	d.order = sortRing(d.ring, d.order)
	return nil
}

// checkHeader validates data's header and length against d's options.
func (d *detector) checkHeader(data []byte) (seen uint64, pos int, err error) {
	le := binary.LittleEndian
	switch {
	case len(data) < headerLen:
		return 0, 0, badSnapshot("%d bytes, shorter than the %d-byte header", len(data), headerLen)
	case !bytes.Equal(data[:3], []byte(snapshotMagic)):
		return 0, 0, badSnapshot("magic %q, not a zscore snapshot", data[:3])
	case data[3] != snapshotVersion && data[3] != snapshotV1:
		return 0, 0, badSnapshot("version %d, this build reads %d and %d", data[3], snapshotV1, snapshotVersion)
	case le.Uint32(data[4:]) != uint32(d.opts.Window):
		return 0, 0, badSnapshot("window %d, instance has %d", le.Uint32(data[4:]), d.opts.Window)
	case le.Uint32(data[8:]) != uint32(d.opts.MinSamples):
		return 0, 0, badSnapshot("min_samples %d, instance has %d", le.Uint32(data[8:]), d.opts.MinSamples)
	}
	seen, p := le.Uint64(data[12:]), le.Uint32(data[20:])
	if n := d.slots(data[3], seen); len(data) != headerLen+8*n {
		return 0, 0, badSnapshot("%d bytes, want %d for %d slots (window %d, %d values seen)", len(data), headerLen+8*n, n, d.opts.Window, seen)
	}
	// Every push advances both, so pos is always seen mod window.
	if want := seen % uint64(d.opts.Window); uint64(p) != want {
		return 0, 0, badSnapshot("ring position %d, want %d after %d values", p, want, seen)
	}
	return seen, int(p), nil
}

// slots is the number of ring slots a snapshot of this version holds.
func (d *detector) slots(version byte, seen uint64) int {
	if version == snapshotV1 {
		return d.opts.Window
	}
	return int(min(seen, uint64(d.opts.Window)))
}

func badSnapshot(format string, args ...any) error {
	return fmt.Errorf("zscore snapshot: %s: %w", fmt.Sprintf(format, args...), sdk.ErrBadSnapshot)
}
