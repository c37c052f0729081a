package pca_test

import (
	"errors"
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/pca"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// FuzzUnmarshal feeds arbitrary bytes to UnmarshalBinary of a 3-feature
// instance. The committed corpus in testdata/fuzz/FuzzUnmarshal holds valid
// snapshots of small models and near misses.
func FuzzUnmarshal(f *testing.F) {
	fac := mustFactory(f, pca.Options{Components: 1})
	f.Add(detectortest.MustSnapshot(f, mustInstance(f, fac, 3)))
	for _, n := range []int{2, 5, 40} {
		xs, _ := labelled(uint64(n), n, 3, 0.1)
		f.Add(detectortest.MustSnapshot(f, mustFitted(f, fac, xs)))
	}
	probes := [][]float64{{0, 0, 0}, {1, -1, 2}, {math.MaxFloat64, -math.MaxFloat64, 0}, {math.SmallestNonzeroFloat64, 1e300, -1e-300}}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := mustInstance(t, fac, 3)
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
