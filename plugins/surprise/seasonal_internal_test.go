package surprise

import "testing"

// TestCovarianceBounded: inputs that never vary leave the covariance
// unexcited, and forgetting alone would grow it by 1/forget a point until
// it overflows (after about 700,000 points). The bound stops it.
func TestCovarianceBounded(t *testing.T) {
	vals := newRing(maxLag)
	for range maxLag {
		vals.push(5)
	}
	s := newSeasonal()
	for i := range 30000 {
		if e := s.step(5, &vals, 5, 1); e != 0 {
			t.Fatalf("step %d: error %v on a constant series", i, e)
		}
	}
	for i := range features {
		if d := s.p[i*features+i]; d > maxP/forget {
			t.Fatalf("covariance diagonal %d is %g, past the bound %g", i, d, maxP)
		}
	}
}
