package zscore

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestDecimalWindowsMatchFloat64 checks the mantissa windows against the
// float64 one, which is the algorithm as it was before them: the same
// scores and the same values, bit for bit, on streams that move a window
// between every storage; and that every snapshot restores to a window
// that marshals back to it and holds the same values.
func TestDecimalWindowsMatchFloat64(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	decimal := func(places int, scale float64) func() float64 {
		return func() float64 { return parse(t, strconv.FormatFloat(r.NormFloat64()*scale, 'f', places, 64)) }
	}
	streams := []struct {
		name string
		next func() float64
		want map[int]bool // storage widths the stream must reach, over all window sizes
	}{
		{"one place", decimal(1, 5), map[int]bool{1: true, 2: true}},
		{"three places", decimal(3, 500), map[int]bool{4: true}},
		{"integers with ties", func() float64 { return float64(r.IntN(5) - 2) }, map[int]bool{1: true, 2: true}},
		{"places vary", func() float64 { return decimal(r.IntN(4), 30)() }, map[int]bool{2: true, 4: true}},
		{"many places", func() float64 { return decimal(r.IntN(maxExp+2), 3)() }, map[int]bool{4: true, 8: true}},
		{"odd values now and then", func() float64 {
			switch r.IntN(40) {
			case 0:
				return r.NormFloat64() // no short decimal
			case 1:
				return math.Copysign(0, -1) // a mantissa would make it +0
			case 2:
				return notShort
			}
			return decimal(2, 20)()
		}, map[int]bool{1: true, 2: true, 8: true}},
		{"31-bit mantissas", func() float64 { return float64(math.MaxInt32-r.IntN(3)) / 1e3 }, map[int]bool{1: true}},
		{"31-bit mantissas far apart", func() float64 { return float64(math.MaxInt32-r.IntN(3)*1000) / 1e3 }, map[int]bool{4: true}},
		{"negative 31-bit mantissas", func() float64 { return float64(-math.MaxInt32+r.IntN(3)) / 1e3 }, map[int]bool{1: true}},
		{"large", func() float64 { return parse(t, strconv.FormatFloat(r.NormFloat64()*1e12, 'f', 1, 64)) }, map[int]bool{8: true}},
		{"mostly constant", func() float64 {
			if r.IntN(4) == 0 {
				return decimal(1, 2)()
			}
			return 20.5
		}, map[int]bool{1: true}},
	}
	for _, tc := range streams {
		t.Run(tc.name, func(t *testing.T) {
			widths := map[int]bool{}
			for _, size := range []int{8, 9, 64, 256, 257} {
				o := Options{Window: size, MinSamples: 2}
				d, ref := newDetector(o), &reference{opts: o, w: newSlots[float64, uint16](0, 0)}
				for i := range 6 * size {
					x := tc.next()
					got, want := d.score(x), ref.score(x)
					if math.Float64bits(got) != math.Float64bits(want) {
						t.Fatalf("window %d, point %d (%v): score %v, float64 window %v", size, i, x, got, want)
					}
					d.push(x)
					ref.push(x)
					widths[d.w.width()] = true
					if g, w := bits(d.w), bits(ref.w); g != w {
						t.Fatalf("window %d, point %d (%v): values differ from the float64 window's", size, i, x)
					}
					snap := snapshot(t, d)
					restored := newDetector(o)
					if err := restored.UnmarshalBinary(snap); err != nil {
						t.Fatalf("window %d, point %d: %v", size, i, err)
					}
					if string(snapshot(t, restored)) != string(snap) || bits(restored.w) != bits(d.w) {
						t.Fatalf("window %d, point %d: restored window differs", size, i)
					}
				}
			}
			for w := range tc.want {
				if !widths[w] {
					t.Errorf("never stored %d bytes a value (stored %v)", w, widths)
				}
			}
		})
	}
}

func TestEncoding(t *testing.T) {
	tests := []struct {
		values     []float64
		width, exp int
		base       int32
	}{
		{nil, 2, 0, 0},
		{[]float64{1, -2, 32767}, 2, 0, 0},
		{[]float64{0, 32768}, 4, 0, 0},
		{[]float64{20.3, 21}, 1, 1, 203 - (255-7)/2},
		{[]float64{20.3, 0.25}, 2, 2, 0},
		{[]float64{327.68, 0}, 4, 2, 0},
		{[]float64{2.147483647}, 1, 9, math.MaxInt32 - 127},
		{[]float64{-2.147483647}, 1, 9, math.MinInt32},
		{[]float64{2147483648}, 8, 0, 0},
		{[]float64{1e-10}, 8, 0, 0},
		{[]float64{notShort}, 8, 0, 0},
		{[]float64{math.Copysign(0, -1)}, 8, 0, 0},
		{[]float64{214748.3647, 0.5}, 4, 4, 0},
		{[]float64{214748.3647, 0.00001}, 8, 0, 0}, // 5 places take the first past 31 bits
		{[]float64{-1, 254}, 1, 0, -1},
		{[]float64{-1, 255}, 2, 0, 0},
		{[]float64{1013.25, 1012.5}, 1, 2, 101250 - (255-75)/2},
	}
	for _, tc := range tests {
		var e encoder
		for _, v := range tc.values {
			e.add(v)
		}
		if width, exp, base := e.result(); width != tc.width || exp != tc.exp || base != tc.base {
			t.Errorf("encoder over %v: %d bytes, 10^-%d, base %d; want %d, 10^-%d, base %d", tc.values, width, exp, base, tc.width, tc.exp, tc.base)
		}
	}
}

func TestHeldSize(t *testing.T) {
	d := newDetector(Options{Window: 256, MinSamples: 32})
	for i := range 300 {
		d.push(20 + float64(i%97)/10)
	}
	if w, ok := d.w.(*slots[uint8, uint8]); !ok || cap(w.ring) != 256 || cap(w.order) != 256 {
		t.Errorf("a full window of one-place decimals 9.6 apart is %T, want *slots[uint8, uint8] holding 256", d.w)
	}
	d.push(math.Pi)
	if d.w.width() != 8 {
		t.Errorf("after π the window stores %d bytes a value, want 8", d.w.width())
	}
	for range 2 * 256 { // π leaves, then the ring wraps
		d.push(20.5)
	}
	if w, ok := d.w.(*slots[uint8, uint8]); !ok || cap(w.ring) != 256 || cap(w.order) != 256 {
		t.Errorf("after π left the window is %T, want *slots[uint8, uint8] holding 256", d.w)
	}
}

// notShort is 0.30000000000000004: no decimal of a few places.
var notShort = func() float64 { x := 0.1; return x + 0.2 }()

func parse(t *testing.T, s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// bits returns w's values, bit for bit.
func bits(w window) string {
	var b []byte
	for _, v := range w.appendValues(nil) {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return string(b)
}

func snapshot(t *testing.T, d *detector) []byte {
	b, err := d.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reference is the detector with its window always float64.
type reference struct {
	opts Options
	seen uint64
	pos  int
	w    *slots[float64, uint16]
}

func (r *reference) score(x float64) float64 {
	if r.seen < uint64(r.opts.MinSamples) {
		return 0
	}
	return robustScore(r.w, x)
}

func (r *reference) push(x float64) {
	r.w.put(x, r.pos, r.opts.Window)
	r.pos = (r.pos + 1) % r.opts.Window
	r.seen++
}

// FuzzDecimalWindowsMatchFloat64 is TestDecimalWindowsMatchFloat64 on
// streams the fuzzer makes: each 3 bytes are a value, a decimal of up to
// 9 places with a mantissa of up to 31 bits, or, now and then, a value no
// mantissa holds.
func FuzzDecimalWindowsMatchFloat64(f *testing.F) {
	f.Add(uint8(8), []byte("\x01\x10\x00\x01\x20\x00\x02\x30\x01\x00\xff\xff\x13\x07\x00"))
	f.Add(uint8(9), []byte("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0a\x01\x00\x0b\x02\x00"))
	f.Fuzz(func(t *testing.T, size uint8, data []byte) {
		o := Options{Window: max(int(size%40), MinWindow), MinSamples: 2}
		d, ref := newDetector(o), &reference{opts: o, w: newSlots[float64, uint16](0, 0)}
		for i := 0; i+3 <= len(data); i += 3 {
			x := fuzzValue(data[i], int16(binary.LittleEndian.Uint16(data[i+1:])))
			if got, want := d.score(x), ref.score(x); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("point %d (%v): score %v, float64 window %v", i/3, x, got, want)
			}
			d.push(x)
			ref.push(x)
		}
	})
}

// fuzzValue makes a value of a fuzzer's byte and mantissa: the byte's low
// nibble picks the places, its high one a wider mantissa or an odd value.
func fuzzValue(b byte, m int16) float64 {
	places, kind := int(b&0xf)%(maxExp+1), b>>4
	switch kind {
	case 1:
		return float64(int32(m)*65537) / pow10[places] // up to 31 bits
	case 2:
		return math.Copysign(0, -1)
	case 3:
		return float64(m) / 3
	case 4:
		return float64(m) * 1e300
	}
	return float64(m) / pow10[places]
}
