package seasonal_test

import (
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/seasonal"
)

// FuzzUnmarshal feeds arbitrary bytes to UnmarshalBinary of a season-4
// instance. The committed corpus in testdata/fuzz/FuzzUnmarshal holds valid
// snapshots of such an instance and near misses.
func FuzzUnmarshal(f *testing.F) {
	fac := mustFactory(f, seasonal.Options{Season: 4})
	for _, n := range []int{0, 3, 6, 8, 30} {
		d := mustInstance(f, fac)
		detectortest.ScoreValues(f, d, sine(uint64(n), n, 4, 3, 1))
		f.Add(detectortest.MustSnapshot(f, d))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := mustInstance(t, fac)
		if detectortest.CheckUnmarshal(t, d, data) != nil {
			return
		}
		// Two seasons' worth, so a warm-up in progress completes: mustScore
		// checks every score lands in [0, 1], whatever finite state was
		// restored.
		for _, x := range []float64{0, 1, -math.MaxFloat64, math.MaxFloat64, math.SmallestNonzeroFloat64, 0, 1, -1, 5} {
			detectortest.MustScoreValue(t, d, x)
		}
	})
}
