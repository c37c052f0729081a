package zscore_test

import (
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/zscore"
)

// FuzzUnmarshal feeds arbitrary bytes to UnmarshalBinary of a window-8
// instance. The committed corpus in testdata/fuzz/FuzzUnmarshal holds valid
// snapshots of such an instance, of every version, and near misses.
func FuzzUnmarshal(f *testing.F) {
	fac := mustFactory(f, zscore.Options{Window: 8, MinSamples: 4})
	for _, n := range []int{0, 3, 8, 21} {
		for _, places := range []int{-1, 1, 4} { // float64s, 2- and 4-byte mantissas
			xs := detectortest.Noisy(uint64(n), n, 0, 1)
			if places >= 0 {
				xs = decimals(xs, places)
			}
			d := mustInstance(f, fac)
			detectortest.ScoreValues(f, d, xs)
			f.Add(detectortest.MustSnapshot(f, d))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := mustInstance(t, fac)
		if checkUnmarshal(t, d, data) != nil {
			return
		}
		// mustScore checks every score lands in [0, 1], whatever finite
		// values the ring was restored with.
		for _, x := range []float64{0, 1, -math.MaxFloat64, math.MaxFloat64, math.SmallestNonzeroFloat64} {
			detectortest.MustScoreValue(t, d, x)
		}
	})
}
