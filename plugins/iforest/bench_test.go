package iforest_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/iforest"
)

// BenchmarkFit fits the default forest (100 trees of 256 rows) on 10,000
// rows; the cost barely depends on the number of rows beyond the sample.
func BenchmarkFit(b *testing.B) {
	for _, dim := range []int{4, 16} {
		b.Run(fmt.Sprintf("dim=%d", dim), func(b *testing.B) {
			xs, _ := detectortest.Labelled(40, 10000, dim, 0.05, 1, 5)
			d := mustInstance(b, mustFactory(b, iforest.Options{}), dim)
			for b.Loop() {
				if err := d.Fit(xs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(detectortest.MustSnapshot(b, d))), "snapshot-B")
			b.ReportMetric(retained(b, mustFactory(b, iforest.Options{}), xs), "heap-B")
			runtime.KeepAlive(d) // live through retained, not counted there
		})
	}
}

// BenchmarkScore scores one point at a time against the default forest.
func BenchmarkScore(b *testing.B) {
	for _, dim := range []int{4, 16} {
		b.Run(fmt.Sprintf("dim=%d", dim), func(b *testing.B) {
			xs, _ := detectortest.Labelled(41, 10000, dim, 0.05, 1, 5)
			d := mustFitted(b, mustFactory(b, iforest.Options{}), xs)
			i := 0
			for b.Loop() {
				if _, err := d.Score(xs[i%len(xs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
}

// BenchmarkScoreBatch scores batches of 1024 points, scored on one
// goroutine, and of 8192, split across GOMAXPROCS; ns/op is per batch.
func BenchmarkScoreBatch(b *testing.B) {
	for _, tc := range []struct{ dim, batch int }{{4, 1024}, {16, 1024}, {4, 8192}} {
		b.Run(fmt.Sprintf("dim=%d/batch=%d", tc.dim, tc.batch), func(b *testing.B) {
			dim := tc.dim
			xs, _ := detectortest.Labelled(42, max(9*tc.batch, 10000), dim, 0.05, 1, 5)
			d := mustFitted(b, mustFactory(b, iforest.Options{}), xs[:10000])
			out := make([]float64, tc.batch)
			i := 0
			for b.Loop() {
				batch := xs[i%9*tc.batch : i%9*tc.batch+tc.batch]
				if _, err := d.ScoreBatch(batch, out); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N*len(out))/b.Elapsed().Seconds(), "points/s")
		})
	}
}

// retained returns the heap a fitted instance holds: allocated by New and
// Fit, and still live after a collection; the mean over ten instances.
func retained(b *testing.B, f *iforest.Factory, xs [][]float64) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	keep := make([]model, 10)
	for i := range keep {
		keep[i] = mustFitted(b, f, xs)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	runtime.KeepAlive(xs)
	return (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(len(keep))
}
