package ewma_test

import (
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/ewma"
)

// FuzzUnmarshal feeds arbitrary bytes to UnmarshalBinary of an instance
// with MinSamples 4. The committed corpus in testdata/fuzz/FuzzUnmarshal
// holds valid snapshots of such an instance and near misses.
func FuzzUnmarshal(f *testing.F) {
	fac := mustFactory(f, ewma.Options{MinSamples: 4})
	for _, n := range []int{0, 1, 3, 50} {
		d := mustInstance(f, fac)
		detectortest.ScoreValues(f, d, detectortest.Noisy(uint64(n), n, 0, 1))
		f.Add(detectortest.MustSnapshot(f, d))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := mustInstance(t, fac)
		if detectortest.CheckUnmarshal(t, d, data) != nil {
			return
		}
		// mustScore checks every score lands in [0, 1], whatever finite
		// state was restored.
		for _, x := range []float64{0, 1, -math.MaxFloat64, math.MaxFloat64, math.SmallestNonzeroFloat64} {
			detectortest.MustScoreValue(t, d, x)
		}
	})
}
