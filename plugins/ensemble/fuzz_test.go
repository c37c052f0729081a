package ensemble_test

import (
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/ensemble"
)

// fuzzFactory is the ensemble FuzzUnmarshal restores into: zscore and ewma
// with default options, ranked over a window of 10.
func fuzzFactory(tb testing.TB) *ensemble.Factory {
	return zscoreEWMA(tb, ensemble.Options{Method: ensemble.Rank, RankWindow: 10})
}

// FuzzUnmarshal feeds arbitrary bytes to UnmarshalBinary of a fuzzFactory
// instance. The committed corpus in testdata/fuzz/FuzzUnmarshal holds valid
// snapshots of such an instance and near misses.
func FuzzUnmarshal(f *testing.F) {
	fac := fuzzFactory(f)
	for _, n := range []int{0, 3, 10, 50} {
		d := mustInstance(f, fac, 1)
		detectortest.ScoreValues(f, d, detectortest.Noisy(uint64(n), n, 0, 1))
		f.Add(detectortest.MustSnapshot(f, d))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := mustInstance(t, fac, 1)
		detectortest.ScoreValues(t, d, []float64{1, 2})
		if detectortest.CheckUnmarshal(t, d, data) != nil {
			return
		}
		// MustScoreValue checks every score lands in [0, 1], whatever
		// state was restored.
		for _, x := range []float64{0, 1, -math.MaxFloat64, math.MaxFloat64, math.SmallestNonzeroFloat64} {
			detectortest.MustScoreValue(t, d, x)
		}
	})
}
