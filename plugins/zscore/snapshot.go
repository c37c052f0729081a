package zscore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Snapshot layouts, versions 2 and 3, all integers little-endian:
//
//	offset  size      field
//	0       3         magic "PZS"
//	3       1         version: 3 for a window of mantissas, 2 of float64s
//	4       4         window       uint32, must equal the instance's
//	8       4         min_samples  uint32, must equal the instance's
//	12      8         seen         uint64, values pushed, all time
//	20      4         pos          uint32, ring index of the next write
//
//	version 2:
//	24      8·n       ring         float64 bits
//
//	version 3:
//	24      1         width        2 or 4: bytes a mantissa
//	25      1         exp          0..9: a value is mantissa / 10^exp
//	26      width·n   ring         int16 or int32 mantissas
//
// n is min(seen, window): the ring fills from slot 0, so its filled slots
// come first. It is stored in ring order (not time order), so a restored
// instance evicts values in the same order. The sorted order is not
// stored: restore rebuilds it, and since it depends only on the values,
// scores continue bit-identically. A window is restored in the storage
// its snapshot names (a version 2 one as float64s, until the ring wraps:
// see detector.push), so every snapshot marshals back to its own bytes.
//
// Version 1 (up to 0.x; still read) was version 2 with the whole ring,
// n = window, slots not filled yet as zeros, which restore ignores: a
// series that had seen one value cost 8·window bytes.
const (
	snapshotMagic = "PZS"
	snapshotV1    = 1
	snapshotV2    = 2
	snapshotV3    = 3
	headerLen     = 24
	// mantissaHeaderLen is version 3's header: width and exp follow.
	mantissaHeaderLen = headerLen + 2
)

// MarshalBinary snapshots the instance in the layout above.
func (d *detector) MarshalBinary() ([]byte, error) {
	width := d.w.ringWidth()
	version := byte(snapshotV3)
	if width == 8 {
		version = snapshotV2
	}
	b := make([]byte, 0, mantissaHeaderLen+width*d.w.len())
	b = append(b, snapshotMagic...)
	b = append(b, version)
	b = binary.LittleEndian.AppendUint32(b, uint32(d.opts.Window))
	b = binary.LittleEndian.AppendUint32(b, uint32(d.opts.MinSamples))
	b = binary.LittleEndian.AppendUint64(b, d.seen)
	b = binary.LittleEndian.AppendUint32(b, uint32(d.pos))
	if version == snapshotV3 {
		b = append(b, byte(width), byte(d.w.exponent()))
	}
	return d.w.appendRing(b), nil
}

// UnmarshalBinary restores a snapshot, of any version, taken by an
// instance with the same Options. It checks everything before changing
// anything, so on error, which wraps sdk.ErrBadSnapshot, the instance is
// untouched.
func (d *detector) UnmarshalBinary(data []byte) error {
	seen, pos, err := d.checkHeader(data)
	if err != nil {
		return err
	}
	n := int(min(seen, uint64(d.opts.Window)))
	var w window
	switch data[3] {
	case snapshotV3:
		w, err = restoreMantissas(data[headerLen:], n, d.opts.Window)
	default:
		w, err = restoreFloats(data[headerLen:], n, d.opts.Window)
	}
	if err != nil {
		return err
	}
	d.w, d.seen, d.pos = w, seen, pos
	return nil
}

// restoreFloats returns the window, for at most size values, of a version
// 1 or 2 ring, whose first n slots are values.
func restoreFloats(ring []byte, n, size int) (window, error) {
	// All slots are checked: a version 1 ring's unfilled ones too.
	for i := range len(ring) / 8 {
		if v := math.Float64frombits(binary.LittleEndian.Uint64(ring[8*i:])); math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, badSnapshot("ring slot %d holds %v", i, v)
		}
	}
	return restored(0, n, size, func(i int) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(ring[8*i:])) }), nil
}

// restoreMantissas returns the window, for at most size values, of a
// version 3 ring (width, exp, mantissas), whose n slots checkHeader has
// counted. Every mantissa is a value.
func restoreMantissas(ring []byte, n, size int) (window, error) {
	width, exp := int(ring[0]), int(ring[1])
	if exp > maxExp {
		return nil, badSnapshot("exponent %d, at most %d", exp, maxExp)
	}
	ring = ring[2:]
	if width == 2 {
		return restored(exp, n, size, func(i int) int16 { return int16(binary.LittleEndian.Uint16(ring[2*i:])) }), nil
	}
	return restored(exp, n, size, func(i int) int32 { return int32(binary.LittleEndian.Uint32(ring[4*i:])) }), nil
}

// restored returns the window, for at most size values, of the n values
// at(0), at(1), … in ring order.
func restored[T mantissa](exp, n, size int, at func(int) T) window {
	if size <= maxByteIndexed {
		return fill(newSlots[T, uint8](exp, n), n, at)
	}
	return fill(newSlots[T, uint16](exp, n), n, at)
}

func fill[T mantissa, I index](w *slots[T, I], n int, at func(int) T) *slots[T, I] {
	for i := range n {
		w.ring = append(w.ring, at(i))
	}
	w.sortRing()
	return w
}

// checkHeader validates data's header and length against d's options.
func (d *detector) checkHeader(data []byte) (seen uint64, pos int, err error) {
	le := binary.LittleEndian
	switch {
	case len(data) < headerLen:
		return 0, 0, badSnapshot("%d bytes, shorter than the %d-byte header", len(data), headerLen)
	case !bytes.Equal(data[:3], []byte(snapshotMagic)):
		return 0, 0, badSnapshot("magic %q, not a zscore snapshot", data[:3])
	case data[3] < snapshotV1 || data[3] > snapshotV3:
		return 0, 0, badSnapshot("version %d, this build reads %d to %d", data[3], snapshotV1, snapshotV3)
	case le.Uint32(data[4:]) != uint32(d.opts.Window):
		return 0, 0, badSnapshot("window %d, instance has %d", le.Uint32(data[4:]), d.opts.Window)
	case le.Uint32(data[8:]) != uint32(d.opts.MinSamples):
		return 0, 0, badSnapshot("min_samples %d, instance has %d", le.Uint32(data[8:]), d.opts.MinSamples)
	}
	seen, p := le.Uint64(data[12:]), le.Uint32(data[20:])
	n, width := int(min(seen, uint64(d.opts.Window))), 8
	prefix := headerLen
	switch data[3] {
	case snapshotV1:
		n = d.opts.Window
	case snapshotV3:
		if len(data) < mantissaHeaderLen {
			return 0, 0, badSnapshot("%d bytes, shorter than the %d-byte version 3 header", len(data), mantissaHeaderLen)
		}
		if width, prefix = int(data[headerLen]), mantissaHeaderLen; width != 2 && width != 4 {
			return 0, 0, badSnapshot("mantissa width %d, want 2 or 4", width)
		}
	}
	if len(data) != prefix+width*n {
		return 0, 0, badSnapshot("%d bytes, want %d for %d slots (window %d, %d values seen)", len(data), prefix+width*n, n, d.opts.Window, seen)
	}
	// Every push advances both, so pos is always seen mod window.
	if want := seen % uint64(d.opts.Window); uint64(p) != want {
		return 0, 0, badSnapshot("ring position %d, want %d after %d values", p, want, seen)
	}
	return seen, int(p), nil
}

func badSnapshot(format string, args ...any) error {
	return fmt.Errorf("zscore snapshot: %s: %w", fmt.Sprintf(format, args...), sdk.ErrBadSnapshot)
}
