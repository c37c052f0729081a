package ensemble_test

import (
	"runtime"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/ensemble"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// BenchmarkScore measures one point against warm members, for zscore and
// ewma alone (the baselines) and for their ensemble with each method.
// Besides ns/op and allocs it reports points/s, the snapshot size and the
// heap an instance holds once warm, both per series.
func BenchmarkScore(b *testing.B) {
	ens := zscoreEWMA(b, ensemble.Options{})
	cases := []struct {
		name string
		f    sdk.Factory
	}{
		{"member=zscore", ens.Members()[0]},
		{"member=ewma", ens.Members()[1]},
		{"method=mean", ens},
		{"method=max", zscoreEWMA(b, ensemble.Options{Method: ensemble.Max})},
		{"method=rank", zscoreEWMA(b, ensemble.Options{Method: ensemble.Rank})},
	}
	xs := detectortest.Noisy(7, 4096, 100, 5)
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			d := mustInstance(b, tc.f, 1)
			detectortest.ScoreValues(b, d, xs) // fills a default rank window
			detectortest.BenchScore(b, d, xs, 0)
			b.ReportMetric(warmHeap(b, tc.f, xs), "heap-B/series")
		})
	}
}

// warmHeap measures the bytes allocated by making one instance and scoring
// xs with it, an upper bound on the heap it then holds.
func warmHeap(b *testing.B, f sdk.Factory, xs []float64) float64 {
	const n = 20
	keep := make([]sdk.Detector, n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	x := make([]float64, 1)
	for i := range keep {
		keep[i] = mustInstance(b, f, 1)
		for _, v := range xs[:ensemble.DefaultRankWindow] {
			x[0] = v
			if _, err := keep[i].Score(x); err != nil {
				b.Fatal(err)
			}
		}
	}
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return float64(after.TotalAlloc-before.TotalAlloc) / n
}
