package hst_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/hst"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// BenchmarkScore measures points of a warm instance with the default
// options, window swaps included. Besides ns/op and allocs it reports
// points/s, the snapshot size and the live heap an instance holds, both per
// series.
func BenchmarkScore(b *testing.B) {
	for _, dim := range []int{1, 3, 16} {
		b.Run(fmt.Sprintf("dim=%d", dim), func(b *testing.B) {
			xs := cluster(7, 4096, make([]float64, dim)...)
			f := mustFactory(b, hst.Options{})
			d := mustInstance(b, f, dim)
			detectortest.ScoreAll(b, d, xs[:1000])
			i := 0
			for b.Loop() {
				if _, err := d.Score(xs[i%len(xs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
			b.ReportMetric(float64(len(detectortest.MustSnapshot(b, d))), "snapshot-B/series")
			b.ReportMetric(liveHeapPerInstance(b, f, xs[:500]), "heap-B/series")
		})
	}
}

// liveHeapPerInstance measures the heap instances hold after learning xs:
// the reference grows with the first windows.
func liveHeapPerInstance(b *testing.B, f *hst.Factory, xs [][]float64) float64 {
	const n = 20
	keep := make([]sdk.Detector, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range keep {
		keep[i] = mustInstance(b, f, len(xs[0]))
		detectortest.ScoreAll(b, keep[i], xs)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return float64(after.HeapAlloc-before.HeapAlloc) / n
}
