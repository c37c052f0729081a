package surprise_test

import (
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/surprise"
)

// fuzzOpts keep snapshots small enough for the fuzzer to explore.
var fuzzOpts = surprise.Options{Short: 3, Learn: 20, RankWindow: 100, History: 50, Novelty: 112}

// FuzzUnmarshal feeds arbitrary bytes to UnmarshalBinary. The seeds are
// snapshots after 0 to 300 points; the committed corpus in
// testdata/fuzz/FuzzUnmarshal holds near misses.
func FuzzUnmarshal(f *testing.F) {
	fac := mustFactory(f, fuzzOpts)
	for _, n := range []int{0, 1, 3, 30, 300} {
		d := mustInstance(f, fac)
		detectortest.ScoreValues(f, d, detectortest.Noisy(uint64(n), n, 0, 1))
		f.Add(detectortest.MustSnapshot(f, d))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := mustInstance(t, fac)
		if detectortest.CheckUnmarshal(t, d, data) != nil {
			return
		}
		// MustScoreValue checks every score lands in [0, 1], whatever
		// state was accepted.
		for _, x := range []float64{0, 1, -math.MaxFloat64, math.MaxFloat64, math.SmallestNonzeroFloat64} {
			detectortest.MustScoreValue(t, d, x)
		}
		// Enough more to end a restored learning period (fuzzOpts.Novelty)
		// and judge blocks with what it learned.
		for i := range 130 {
			detectortest.MustScoreValue(t, d, float64(i%13))
		}
	})
}
