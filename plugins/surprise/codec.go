package surprise

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

var le = binary.LittleEndian

// writer appends a snapshot's fields.
type writer struct{ b []byte }

func (w *writer) u32(vs ...int) {
	for _, v := range vs {
		w.b = le.AppendUint32(w.b, uint32(v))
	}
}

func (w *writer) u64(v uint64) { w.b = le.AppendUint64(w.b, v) }

func (w *writer) f64(vs ...float64) {
	for _, v := range vs {
		w.b = le.AppendUint64(w.b, math.Float64bits(v))
	}
}

func (w *writer) u64s(vs []uint64) {
	for _, v := range vs {
		w.u64(v)
	}
}

func (w *writer) list(vs []float64) {
	w.u32(len(vs))
	w.f64(vs...)
}

// reader takes a snapshot's fields in order; the first problem sticks in
// err and later reads return zeros.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
	r.b = nil
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.b) < n {
		r.fail("truncated")
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u32() int {
	if b := r.take(4); b != nil {
		return int(le.Uint32(b))
	}
	return 0
}

func (r *reader) u64() uint64 {
	if b := r.take(8); b != nil {
		return le.Uint64(b)
	}
	return 0
}

func (r *reader) f64() float64 { return math.Float64frombits(r.u64()) }

func (r *reader) flag() bool {
	b := r.take(1)
	if b != nil && b[0] > 1 {
		r.fail("flag byte %d, want 0 or 1", b[0])
	}
	return b != nil && b[0] == 1
}

func (r *reader) floats(dst []float64) {
	for i := range dst {
		dst[i] = r.f64()
	}
}

// list reads a counted list of at most limit floats.
func (r *reader) list(limit int) []float64 {
	n := r.u32()
	if n > limit {
		r.fail("list of %d, at most %d", n, limit)
		return nil
	}
	if r.err != nil || len(r.b) < 8*n {
		r.fail("truncated")
		return nil
	}
	out := make([]float64, n)
	r.floats(out)
	return out
}

var errState = errors.New("inconsistent state")
