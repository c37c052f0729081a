package zscore

import "math"

// Most series arrive as decimal text with a few digits ("21.7", "1013"),
// and a float64 parsed from such text is the one closest to m/10^e for a
// small integer m: exactly what dividing float64(m) by float64(10^e)
// gives, since both are exact and IEEE division rounds to the closest. So
// a window whose values all are such decimals can hold their mantissas,
// in 2 or 4 bytes instead of 8, and give back the very same float64s:
// scores stay bit-identical. Snapshots hold the mantissas too (version 3).
//
// Mantissas of one exponent order as their values do: the float64 of
// m/10^e is within a relative 2^-53 of it, and for |m| < 2^31 that is far
// less than the 10^-e between neighbouring mantissas. For the same reason
// 2·med−(u+v), for values u, v and a median med taken from mantissas, has
// the sign of its mantissa counterpart whenever that is not 0: the
// roundings in med and in u and v add up to at most a few 2^31·2^-53·10^-e,
// against at least 10^-e (see deviations.compare).

// maxExp is the most decimal places a window stores as mantissas.
const maxExp = 9

// pow10 holds 10^e, exact in float64 for every e here.
var pow10 = [maxExp + 1]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// decimalAt returns m with float64(m)/10^e == x bit for bit and |m| ≤ limit,
// if there is one. -0 has none: its mantissa would give back +0.
func decimalAt(x float64, e int, limit int64) (int64, bool) {
	r := math.Round(x * pow10[e])
	if !(math.Abs(r) <= float64(limit)) {
		return 0, false
	}
	m := int64(r)
	return m, math.Float64bits(float64(m)/pow10[e]) == math.Float64bits(x)
}

// encoder finds the narrowest storage for values added one by one: the
// least exponent at which they all are mantissas, and the bytes those need
// (2 or 4); 8 and exponent 0 when some value is no decimal of at most
// maxExp places and 31 bits. A decimal at e is also one at every larger e
// (same quotient), so the exponent is the largest any value needs; and
// the largest mantissa is the largest value's.
type encoder struct {
	exp    int
	lo, hi float64 // the least and the greatest value
	n      int
	float  bool
}

func (e *encoder) add(v float64) {
	for !e.float && !fits(v, e.exp, math.MaxInt32) {
		e.exp++
		e.float = e.exp > maxExp
	}
	if e.n == 0 {
		e.lo, e.hi = v, v
	}
	e.lo, e.hi, e.n = min(e.lo, v), max(e.hi, v), e.n+1
}

// result returns the storage: the bytes a value, the exponent, and for
// bytes the base they are offsets from.
func (e *encoder) result() (width, exp int, base int32) {
	scale := pow10[min(e.exp, maxExp)]
	lo, hi := math.Round(e.lo*scale), math.Round(e.hi*scale)
	switch {
	case e.float || max(-lo, hi) > math.MaxInt32: // a mantissa grew past 31 bits with the exponent
		return 8, 0, 0
	case e.n > 0 && hi-lo <= math.MaxUint8:
		return 1, e.exp, frame(int64(lo), int64(hi))
	case max(-lo, hi) > math.MaxInt16:
		return 4, e.exp, 0
	}
	return 2, e.exp, 0
}

// narrowSpan is the most a window of 2-byte mantissas may span to move to
// bytes: three quarters of a byte's range.
const narrowSpan = 3 * (math.MaxUint8 + 1) / 4

// frame returns the base of a window of bytes holding the mantissas lo to
// hi, which are at most 255 apart: centred, so that the window takes
// values past either end before it must be stored wider.
func frame(lo, hi int64) int32 {
	base := lo - (math.MaxUint8-(hi-lo))/2
	return int32(max(base, hi-math.MaxUint8, math.MinInt32))
}

func fits(v float64, e int, limit int64) bool {
	_, ok := decimalAt(v, e, limit)
	return ok
}

// widened returns w in the narrowest storage that holds its values and x.
func (w *slots[T, I]) widened(x float64) window {
	var e encoder
	w.addTo(&e)
	e.add(x)
	return w.rewritten(e.result())
}

// narrowed returns w in the narrowest storage that holds its values:
// itself when that is no narrower.
func (w *slots[T, I]) narrowed() window {
	if w.limit == math.MaxInt16 {
		// Bytes at the same exponent are all a window of 2-byte mantissas
		// can narrow to, and its own mantissas tell whether they fit: with
		// room to spare, or a series whose values span about 255 units
		// would move back and forth every time the ring wraps.
		lo, hi := int64(math.MaxInt16), int64(math.MinInt16)
		for _, m := range w.ring {
			lo, hi = min(lo, int64(m)), max(hi, int64(m))
		}
		if len(w.ring) > 0 && hi-lo <= narrowSpan {
			return w.rewritten(1, int(w.exp), frame(lo, hi))
		}
		return w
	}
	var e encoder
	w.addTo(&e)
	if width, exp, base := e.result(); width < w.width() {
		return w.rewritten(width, exp, base)
	}
	return w
}

func (w *slots[T, I]) addTo(e *encoder) {
	for _, m := range w.ring {
		e.add(w.value(m))
	}
}

// rewritten returns w's values, in the same order and with the same
// capacity, in the storage encoder chose.
func (w *slots[T, I]) rewritten(width, exp int, base int32) window {
	switch width {
	case 1:
		to := newSlots[uint8, I](exp, cap(w.ring))
		to.base = base
		return convert(to, w)
	case 2:
		return convert(newSlots[int16, I](exp, cap(w.ring)), w)
	case 4:
		return convert(newSlots[int32, I](exp, cap(w.ring)), w)
	}
	return convert(newSlots[float64, I](0, cap(w.ring)), w)
}

func convert[U, T mantissa, I index](to *slots[U, I], from *slots[T, I]) *slots[U, I] {
	for _, m := range from.ring {
		u, _ := to.encode(from.value(m)) // the encoder chose to so that every value is one
		to.ring = append(to.ring, u)
	}
	to.order = append(to.order, from.order...)
	return to
}
