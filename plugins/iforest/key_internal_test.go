package iforest

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKeyOrder checks that key orders floats as < does, with −0 = +0,
// and that unkey inverts it: the walks rely on both.
func TestKeyOrder(t *testing.T) {
	special := []float64{
		math.Inf(-1), -math.MaxFloat64, -1, -math.SmallestNonzeroFloat64, math.Copysign(0, -1),
		0, math.SmallestNonzeroFloat64, 1, math.MaxFloat64, math.Inf(1),
	}
	r := rand.New(rand.NewPCG(1, 1))
	vals := append([]float64(nil), special...)
	for range 2000 {
		vals = append(vals, math.Float64frombits(r.Uint64()&^(0x7ff<<52)|uint64(r.IntN(0x7ff))<<52))
	}
	for _, a := range vals {
		if key(a) == 0 {
			t.Fatalf("key(%v) = 0, the leaf key", a)
		}
		if back := unkey(key(a)); back != a || (a != 0 && math.Float64bits(back) != math.Float64bits(a)) {
			t.Fatalf("unkey(key(%v)) = %v", a, back)
		}
		for _, b := range vals {
			if (key(a) < key(b)) != (a < b) || (key(a) == key(b)) != (a == b) {
				t.Fatalf("key(%v) = %#x, key(%v) = %#x: order differs from the floats'", a, key(a), b, key(b))
			}
		}
	}
}
