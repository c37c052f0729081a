package zscore

import (
	"encoding/binary"
	"math"
	"slices"
)

// window is a series' last values, stored as one of the slots types.
type window interface {
	len() int
	// width is the bytes a value takes: 2, 4 or 8.
	width() int
	// put writes x at ring index i, or appends it when i is len(), growing
	// the storage up to size values. It reports false, changing nothing,
	// when x cannot be stored exactly in this window's encoding.
	put(x float64, i, size int) bool
	// level returns the median and the robust σ of the non-empty window.
	level() (med, sigma float64)
	// widened returns the window in the narrowest storage that holds its
	// values and x.
	widened(x float64) window
	// narrowed returns the window in the narrowest storage that holds its
	// values: itself when that is no narrower.
	narrowed() window
	// appendValues appends the values to dst in ring order.
	appendValues(dst []float64) []float64
	// exponent is the window's: a mantissa m stands for m/10^exponent.
	exponent() int
	// appendRing appends the ring as stored, little-endian: float64 bits,
	// or int16 or int32 mantissas.
	appendRing(b []byte) []byte
}

// mantissa is how slots hold a value: as a decimal mantissa, value =
// m / 10^exp, or as the float64 itself.
type mantissa interface{ int16 | int32 | float64 }

// slots is a window of values stored as T.
type slots[T mantissa] struct {
	// ring holds the values in ring order, to know which to evict. It
	// grows as values arrive, doubling up to the window, so a series that
	// has seen few values holds little.
	ring []T
	// order holds ring's indexes sorted by value: the window ascending, so
	// the median is an index and the MAD a binary search. It costs 2 bytes
	// a slot where a sorted copy of the values would cost 8.
	order []uint16
	scale float64 // 10^exp
	exp   int32   // 0 for float64
	// limit bounds a mantissa's magnitude; 0 when T is float64: values as
	// they are.
	limit int32
}

// The ring's indexes are stored as uint16: the largest window must fit.
const _ = uint16(MaxWindow - 1)

// firstCap is the ring's capacity at its first value.
const firstCap = 8

func newSlots[T mantissa](exp, capacity int) *slots[T] {
	w := &slots[T]{ring: make([]T, 0, capacity), order: make([]uint16, 0, capacity), exp: int32(exp), scale: pow10[exp]}
	switch any(T(0)).(type) {
	case int16:
		w.limit = math.MaxInt16
	case int32:
		w.limit = math.MaxInt32
	}
	return w
}

func (w *slots[T]) len() int { return len(w.ring) }

func (w *slots[T]) width() int {
	switch w.limit {
	case math.MaxInt16:
		return 2
	case math.MaxInt32:
		return 4
	}
	return 8
}

// value returns the float64 m stands for: exactly the one it was made
// from (see encode).
func (w *slots[T]) value(m T) float64 {
	if w.exp == 0 {
		return float64(m)
	}
	return float64(m) / w.scale
}

// at returns the k-th smallest value (0-based).
func (w *slots[T]) at(k int) float64 { return w.value(w.ring[w.order[k]]) }

func (w *slots[T]) appendValues(dst []float64) []float64 {
	for _, m := range w.ring {
		dst = append(dst, w.value(m))
	}
	return dst
}

func (w *slots[T]) exponent() int { return int(w.exp) }

func (w *slots[T]) appendRing(b []byte) []byte {
	le := binary.LittleEndian
	for _, m := range w.ring {
		switch m := any(m).(type) {
		case int16:
			b = le.AppendUint16(b, uint16(m))
		case int32:
			b = le.AppendUint32(b, uint32(m))
		case float64:
			b = le.AppendUint64(b, math.Float64bits(m))
		}
	}
	return b
}

// encode returns x's mantissa, false when x is not exactly one.
func (w *slots[T]) encode(x float64) (T, bool) {
	if w.limit == 0 {
		return T(x), true
	}
	m, ok := decimalAt(x, int(w.exp), int64(w.limit))
	return T(m), ok
}

func (w *slots[T]) put(x float64, i, size int) bool {
	m, ok := w.encode(x)
	if !ok {
		return false
	}
	if i == len(w.ring) {
		w.append(m, size)
	} else {
		w.replace(i, m)
	}
	return true
}

// replace writes m over ring index i, moving i in order from the evicted
// value's place to m's: one search and one shift of the indexes between
// the two places.
func (w *slots[T]) replace(i int, m T) {
	from := w.find(w.ring[i], i)
	to := w.lowerBound(m)
	if to <= from {
		copy(w.order[to+1:from+1], w.order[to:from])
	} else {
		// to counts the evicted value, which leaves from before it.
		to--
		copy(w.order[from:to], w.order[from+1:to+1])
	}
	w.order[to] = uint16(i)
	w.ring[i] = m
}

// append adds m while the window fills, growing the buffers when full.
func (w *slots[T]) append(m T, size int) {
	if len(w.ring) == cap(w.ring) {
		// Exact sizes: append's would round past the window.
		n := min(max(2*cap(w.ring), firstCap), size)
		w.ring = append(make([]T, 0, n), w.ring...)
		w.order = append(make([]uint16, 0, n), w.order...)
	}
	i := len(w.ring)
	w.ring = append(w.ring, m)
	w.order = slices.Insert(w.order, w.lowerBound(m), uint16(i))
}
