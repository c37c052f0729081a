package iforest_test

import (
	"errors"
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/iforest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// FuzzUnmarshal feeds arbitrary bytes to UnmarshalBinary of a 2-feature
// instance. The committed corpus in testdata/fuzz/FuzzUnmarshal holds valid
// snapshots of small forests and near misses.
func FuzzUnmarshal(f *testing.F) {
	fac := mustFactory(f, iforest.Options{Trees: 3, SampleSize: 16})
	f.Add(detectortest.MustSnapshot(f, mustInstance(f, fac, 2)))
	for _, n := range []int{2, 5, 40} {
		xs, _ := detectortest.Labelled(uint64(n), n, 2, 0.1, 1, 5)
		f.Add(detectortest.MustSnapshot(f, mustFitted(f, fac, xs)))
	}
	probes := [][]float64{{0, 0}, {1, -1}, {math.MaxFloat64, -math.MaxFloat64}, {math.SmallestNonzeroFloat64, 1e300}}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := mustInstance(t, fac, 2)
		if detectortest.CheckUnmarshal(t, d, data) != nil {
			return
		}
		out := make([]float64, len(probes))
		n, err := d.ScoreBatch(probes, out)
		if errors.Is(err, sdk.ErrNotFitted) {
			return
		}
		if n != len(probes) || err != nil {
			t.Fatalf("ScoreBatch = %d, %v", n, err)
		}
		for i, x := range probes {
			if s := detectortest.MustScore(t, d, x); s != out[i] {
				t.Fatalf("Score(%v) = %v, ScoreBatch gave %v", x, s, out[i])
			}
			checkShares(t, d, x)
		}
	})
}

// checkShares fails unless Explain(x) gives non-negative shares summing to 1.
func checkShares(t *testing.T, d model, x []float64) {
	t.Helper()
	e, err := d.Explain(x)
	if err != nil {
		t.Fatalf("Explain(%v): %v", x, err)
	}
	var sum float64
	for _, v := range e {
		if !(v >= 0) {
			t.Fatalf("Explain(%v) = %v: negative or NaN share", x, e)
		}
		sum += v
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Fatalf("Explain(%v) = %v: shares sum to %v", x, e, sum)
	}
}
