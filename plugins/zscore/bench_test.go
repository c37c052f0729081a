package zscore_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/zscore"
)

// BenchmarkScore measures one point against a full window. Besides ns/op
// and allocs it reports points/s, the snapshot size and the heap an
// instance holds, per series: new, and once its window is full.
func BenchmarkScore(b *testing.B) {
	xs := detectortest.Noisy(7, 4096, 100, 5)
	for _, w := range []int{64, 256, 1024} {
		b.Run(fmt.Sprintf("window=%d", w), func(b *testing.B) {
			f := mustFactory(b, zscore.Options{Window: w})
			d := mustInstance(b, f)
			detectortest.ScoreValues(b, d, xs[:w])
			x := make([]float64, 1)
			i := 0
			for b.Loop() {
				x[0] = xs[i%len(xs)]
				i++
				if _, err := d.Score(x); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
			b.ReportMetric(float64(len(detectortest.MustSnapshot(b, d))), "snapshot-B/series")
			b.ReportMetric(heapPerInstance(b, f, nil), "heap-B/new-series")
			b.ReportMetric(heapPerInstance(b, f, xs[:w]), "heap-B/series")
		})
	}
}

// heapPerInstance measures the heap one instance holds after scoring xs.
func heapPerInstance(b *testing.B, f *zscore.Factory, xs []float64) float64 {
	const n = 100
	keep := make([]sdk.Detector, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range keep {
		keep[i] = mustInstance(b, f)
		detectortest.ScoreValues(b, keep[i], xs)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return float64(after.HeapAlloc-before.HeapAlloc) / n
}
