package kmeans_test

import (
	"errors"
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/kmeans"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// FuzzUnmarshal feeds arbitrary bytes to UnmarshalBinary. The committed
// corpus in testdata/fuzz/FuzzUnmarshal holds valid snapshots of small
// models, fitted and scored on, and near misses.
func FuzzUnmarshal(f *testing.F) {
	fac := mustFactory(f, kmeans.Options{})
	f.Add(detectortest.MustSnapshot(f, mustInstance(f, fac)))
	for _, opts := range []kmeans.Options{{}, {Diff: kmeans.Off, Smooth: 1, Lag: kmeans.Off, K: 1}, {K: 3, Lag: 2}} {
		d := mustFitted(f, mustFactory(f, opts), sine(9, 20, 7, 2, 0.1))
		detectortest.ScoreValues(f, d, []float64{1, 2, 3})
		f.Add(detectortest.MustSnapshot(f, d))
	}
	probes := []float64{0, 1, -1, math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 1e300, 0}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := mustInstance(t, fac)
		if detectortest.CheckUnmarshal(t, d, data) != nil {
			return
		}
		if _, err := d.Score([]float64{0}); errors.Is(err, sdk.ErrNotFitted) {
			return
		}
		// MustScoreValue checks every score lands in [0, 1], however
		// extreme the restored state and the probes.
		detectortest.ScoreValues(t, d, probes)
	})
}
