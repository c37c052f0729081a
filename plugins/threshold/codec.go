package threshold

import (
	"encoding/binary"
	"math"
)

// Every snapshot starts with a 3-byte magic naming the policy and a 1-byte
// format version; the rest is policy-specific, little-endian.
const snapshotVersion = 1

// reader decodes a snapshot front to back. After the first short read
// every later read returns zero and ok reports false.
type reader struct {
	b     []byte
	short bool
}

func (r *reader) take(n int) []byte {
	if r.short || n < 0 || len(r.b) < n {
		r.short = true
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *reader) u8() byte {
	if p := r.take(1); p != nil {
		return p[0]
	}
	return 0
}

func (r *reader) u32() uint32 {
	if p := r.take(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if p := r.take(8); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

func (r *reader) f64() float64 { return math.Float64frombits(r.u64()) }

// header checks the magic and version at the front of data and returns a
// reader positioned after them.
func header(policy, magic string, data []byte) (*reader, error) {
	switch {
	case len(data) < 4:
		return nil, badSnapshot(policy, "%d bytes, shorter than the 4-byte header", len(data))
	case string(data[:3]) != magic:
		return nil, badSnapshot(policy, "magic %q, want %q", data[:3], magic)
	case data[3] != snapshotVersion:
		return nil, badSnapshot(policy, "version %d, this build reads %d", data[3], snapshotVersion)
	}
	return &reader{b: data[4:]}, nil
}

func appendF64(b []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

// floats reads n floats, each required to lie in [lo, hi].
func (r *reader) floats(policy, what string, n int, lo, hi float64) ([]float64, error) {
	if n > len(r.b)/8 {
		r.short = true
		return nil, badSnapshot(policy, "truncated in %s", what)
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = r.f64()
		if !(out[i] >= lo && out[i] <= hi) {
			return nil, badSnapshot(policy, "%s %d is %v, outside [%v, %v]", what, i, out[i], lo, hi)
		}
	}
	return out, nil
}
