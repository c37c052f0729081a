package zscore

import (
	"encoding/binary"
	"math"
	"slices"
)

// window is a series' last values, stored as one of the slots types.
type window interface {
	len() int
	// width is the bytes a value takes: 1, 2, 4 or 8.
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
	// ringWidth is the bytes appendRing writes a value: 2 or 4 for
	// mantissas (those of a window of bytes as 2 when they all fit 16
	// bits), 8 for float64s.
	ringWidth() int
	// appendRing appends the ring, little-endian, ringWidth bytes a value:
	// float64 bits, or int16 or int32 mantissas.
	appendRing(b []byte) []byte
}

// mantissa is how slots hold a value: as a decimal mantissa, value =
// m / 10^exp, or as the float64 itself. A uint8 is a mantissa's offset
// from the window's base, m = base + offset: a window whose values lie
// within 255 units of the last decimal place of each other (a temperature
// to 0.1 °C over a 25 °C span, say) takes a byte a value.
type mantissa interface {
	uint8 | int16 | int32 | float64
}

// index is how slots hold a ring index: a byte for windows of up to 256
// values (the default's), else 2 bytes.
type index interface{ uint8 | uint16 }

// slots is a window of values stored as T, its ring indexed by I.
type slots[T mantissa, I index] struct {
	// ring holds the values in ring order, to know which to evict. It
	// grows as values arrive, doubling up to the window, so a series that
	// has seen few values holds little.
	ring []T
	// order holds ring's indexes sorted by value: the window ascending, so
	// the median is an index and the MAD a binary search. It costs 1 or 2
	// bytes a slot where a sorted copy of the values would cost 8.
	order []I
	scale float64 // 10^exp
	exp   int32   // 0 for float64
	// limit bounds a mantissa's magnitude, or a uint8's offset; 0 when T
	// is float64: values as they are.
	limit int32
	// base is what a uint8 is an offset from; 0 for the other types.
	base int32
}

// The ring's indexes fit their types: uint16 holds the largest window's,
// uint8 those of windows up to maxByteIndexed.
const (
	maxByteIndexed = 1 << 8
	_              = uint16(MaxWindow - 1)
	_              = uint8(maxByteIndexed - 1)
)

// firstCap is the ring's capacity at its first value.
const firstCap = 8

// newWindow returns an empty window of Ts for at most size values, with
// room for capacity.
func newWindow[T mantissa](exp, capacity, size int) window {
	if size <= maxByteIndexed {
		return newSlots[T, uint8](exp, capacity)
	}
	return newSlots[T, uint16](exp, capacity)
}

func newSlots[T mantissa, I index](exp, capacity int) *slots[T, I] {
	w := &slots[T, I]{ring: make([]T, 0, capacity), order: make([]I, 0, capacity), exp: int32(exp), scale: pow10[exp]}
	switch any(T(0)).(type) {
	case uint8:
		w.limit = math.MaxUint8
	case int16:
		w.limit = math.MaxInt16
	case int32:
		w.limit = math.MaxInt32
	}
	return w
}

func (w *slots[T, I]) len() int { return len(w.ring) }

func (w *slots[T, I]) width() int {
	switch w.limit {
	case math.MaxUint8:
		return 1
	case math.MaxInt16:
		return 2
	case math.MaxInt32:
		return 4
	}
	return 8
}

// value returns the float64 m stands for: exactly the one it was made
// from (see encode).
func (w *slots[T, I]) value(m T) float64 {
	switch {
	case w.limit == 0:
		return float64(m)
	case w.exp == 0:
		return float64(w.mantissa(m))
	}
	return float64(w.mantissa(m)) / w.scale
}

// mantissa returns the mantissa m stands for; m must not be a float64.
func (w *slots[T, I]) mantissa(m T) int64 { return int64(m) + int64(w.base) }

// at returns the k-th smallest value (0-based).
func (w *slots[T, I]) at(k int) float64 { return w.value(w.ring[w.order[k]]) }

func (w *slots[T, I]) appendValues(dst []float64) []float64 {
	for _, m := range w.ring {
		dst = append(dst, w.value(m))
	}
	return dst
}

func (w *slots[T, I]) exponent() int { return int(w.exp) }

func (w *slots[T, I]) ringWidth() int {
	if w.limit != math.MaxUint8 {
		return w.width()
	}
	lo, hi := int64(w.base), int64(w.base)+math.MaxUint8
	switch {
	case lo >= -math.MaxInt16 && hi <= math.MaxInt16:
		return 2 // the whole frame fits 16 bits
	case lo > math.MaxInt16 || hi < -math.MaxInt16:
		return 4 // none of it does
	}
	for _, m := range w.ring {
		if m := w.mantissa(m); m < -math.MaxInt16 || m > math.MaxInt16 {
			return 4
		}
	}
	return 2
}

func (w *slots[T, I]) appendRing(b []byte) []byte {
	le := binary.LittleEndian
	if w.limit == math.MaxUint8 {
		n, width := len(b), w.ringWidth()
		b = slices.Grow(b, width*len(w.ring))[:n+width*len(w.ring)]
		out, base := b[n:], int64(w.base)
		if width == 2 {
			for i, m := range w.ring {
				le.PutUint16(out[2*i:], uint16(int64(m)+base))
			}
		} else {
			for i, m := range w.ring {
				le.PutUint32(out[4*i:], uint32(int64(m)+base))
			}
		}
		return b
	}
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
func (w *slots[T, I]) encode(x float64) (T, bool) {
	if w.limit == 0 {
		return T(x), true
	}
	m, ok := decimalAt(x, int(w.exp), math.MaxInt32)
	m -= int64(w.base)
	lo := -int64(w.limit)
	if w.limit == math.MaxUint8 {
		lo = 0
	}
	return T(m), ok && lo <= m && m <= int64(w.limit)
}

func (w *slots[T, I]) put(x float64, i, size int) bool {
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
func (w *slots[T, I]) replace(i int, m T) {
	from := w.find(w.ring[i], i)
	to := w.lowerBound(m)
	if to <= from {
		copy(w.order[to+1:from+1], w.order[to:from])
	} else {
		// to counts the evicted value, which leaves from before it.
		to--
		copy(w.order[from:to], w.order[from+1:to+1])
	}
	w.order[to] = I(i)
	w.ring[i] = m
}

// append adds m while the window fills, growing the buffers when full.
func (w *slots[T, I]) append(m T, size int) {
	if len(w.ring) == cap(w.ring) {
		// Exact sizes: append's would round past the window.
		n := min(max(2*cap(w.ring), firstCap), size)
		w.ring = append(make([]T, 0, n), w.ring...)
		w.order = append(make([]I, 0, n), w.order...)
	}
	i := len(w.ring)
	w.ring = append(w.ring, m)
	w.order = slices.Insert(w.order, w.lowerBound(m), I(i))
}
