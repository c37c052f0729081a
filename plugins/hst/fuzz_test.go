package hst_test

import (
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/hst"
)

// FuzzUnmarshal feeds arbitrary bytes to UnmarshalBinary of a small
// two-feature instance (2 trees, depth 4, window 10). The committed corpus
// in testdata/fuzz/FuzzUnmarshal holds valid snapshots of such an instance
// and near misses.
func FuzzUnmarshal(f *testing.F) {
	fac := mustFactory(f, hst.Options{Trees: 2, Depth: 4, Window: 10})
	for _, n := range []int{0, 3, 10, 25} {
		d := mustInstance(f, fac, 2)
		detectortest.ScoreAll(f, d, cluster(uint64(n), n, 0, 5))
		f.Add(detectortest.MustSnapshot(f, d))
	}
	huge := []float64{math.MaxFloat64, -math.MaxFloat64}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := mustInstance(t, fac, 2)
		if detectortest.CheckUnmarshal(t, d, data) != nil {
			return
		}
		// A window's worth, so a swap happens on whatever was restored;
		// mustScore checks every score lands in [0, 1].
		for i := range 12 {
			x := []float64{float64(i), math.SmallestNonzeroFloat64}
			if i%4 == 0 {
				x = huge
			}
			mustExplain(t, d, x)
			detectortest.MustScore(t, d, x)
		}
	})
}
