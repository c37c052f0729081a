package threshold

import (
	"encoding/binary"
	"math"
	"slices"
)

// Quantile snapshot layout, version 1, all integers little-endian:
//
//	offset  size      field
//	0       3         magic "PTQ"
//	3       1         version, 1
//	4       8         q            float64 bits, must equal the policy's
//	12      4         window       uint32, must equal the policy's
//	16      4         min_samples  uint32, must equal the policy's
//	20      8         seen         uint64, scores observed, all time
//	28      4         pos          uint32, ring index of the next write
//	32      8·window  ring         float64 bits in [0, 1], ring order
//
// Unused slots are stored too (as 0), so a restored policy evicts in the
// same order. The sorted copy is rebuilt from the ring on restore.
const (
	quantileMagic     = "PTQ"
	quantileHeaderLen = 32
)

func (p *quantile) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, quantileHeaderLen+8*len(p.ring))
	b = append(b, quantileMagic...)
	b = append(b, snapshotVersion)
	b = appendF64(b, p.o.Q)
	b = binary.LittleEndian.AppendUint32(b, uint32(p.o.Window))
	b = binary.LittleEndian.AppendUint32(b, uint32(p.o.MinSamples))
	b = binary.LittleEndian.AppendUint64(b, p.seen)
	b = binary.LittleEndian.AppendUint32(b, uint32(p.pos))
	for _, v := range p.ring {
		b = appendF64(b, v)
	}
	return b, nil
}

func (p *quantile) UnmarshalBinary(data []byte) error {
	r, err := header("quantile", quantileMagic, data)
	if err != nil {
		return err
	}
	seen, pos, err := p.checkHeader(r, len(data))
	if err != nil {
		return err
	}
	ring, err := r.floats("quantile", "ring slot", p.o.Window, 0, 1)
	if err != nil {
		return err
	}
	copy(p.ring, ring)
	p.seen, p.pos = seen, pos
	p.sorted = append(p.sorted[:0], p.ring[:min(seen, uint64(len(p.ring)))]...)
	slices.Sort(p.sorted)
	return nil
}

// checkHeader validates the fields after the magic and the total length.
func (p *quantile) checkHeader(r *reader, size int) (seen uint64, pos int, err error) {
	q, w, ms, seen, ps := r.f64(), r.u32(), r.u32(), r.u64(), r.u32()
	switch want := quantileHeaderLen + 8*p.o.Window; {
	case r.short:
		return 0, 0, badSnapshot("quantile", "%d bytes, shorter than the %d-byte header", size, quantileHeaderLen)
	case math.Float64bits(q) != math.Float64bits(p.o.Q):
		return 0, 0, badSnapshot("quantile", "q %v, policy has %v", q, p.o.Q)
	case w != uint32(p.o.Window):
		return 0, 0, badSnapshot("quantile", "window %d, policy has %d", w, p.o.Window)
	case ms != uint32(p.o.MinSamples):
		return 0, 0, badSnapshot("quantile", "min_samples %d, policy has %d", ms, p.o.MinSamples)
	case size != want:
		return 0, 0, badSnapshot("quantile", "%d bytes, want %d for window %d", size, want, p.o.Window)
	case uint64(ps) != seen%uint64(p.o.Window):
		return 0, 0, badSnapshot("quantile", "ring position %d, want %d after %d scores", ps, seen%uint64(p.o.Window), seen)
	}
	return seen, int(ps), nil
}
