package kmeans_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/kmeans"
)

// BenchmarkFit fits on 2000 and 10,000 points of a noisy sine.
func BenchmarkFit(b *testing.B) {
	for _, tc := range []struct {
		rows int
		opts kmeans.Options
	}{{2000, kmeans.Options{}}, {10000, kmeans.Options{}}, {2000, kmeans.Options{K: 8, Lag: 20}}} {
		b.Run(fmt.Sprintf("rows=%d/k=%d/lag=%d", tc.rows, max(tc.opts.K, 2), max(tc.opts.Lag, 5)), func(b *testing.B) {
			xs := rows(sine(10, tc.rows, 40, 10, 0.3))
			f := mustFactory(b, tc.opts)
			d := mustInstance(b, f)
			for b.Loop() {
				if err := d.Fit(xs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(tc.rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(len(detectortest.MustSnapshot(b, d))), "snapshot-B")
			b.ReportMetric(retained(b, f, xs), "heap-B")
		})
	}
}

// BenchmarkScore scores one point at a time; ns/op is per point.
func BenchmarkScore(b *testing.B) {
	for _, opts := range []kmeans.Options{{}, {K: 8, Lag: 20}} {
		b.Run(fmt.Sprintf("k=%d/lag=%d", max(opts.K, 2), max(opts.Lag, 5)), func(b *testing.B) {
			vals := sine(11, 12000, 40, 10, 0.3)
			d := mustFitted(b, mustFactory(b, opts), vals[:2000])
			x, i := []float64{0}, 0
			for b.Loop() {
				x[0] = vals[2000+i%10000]
				if _, err := d.Score(x); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
}

// retained returns the heap a fitted instance holds after a collection:
// the mean over ten instances.
func retained(b *testing.B, f *kmeans.Factory, xs [][]float64) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	keep := make([]model, 10)
	for i := range keep {
		keep[i] = mustInstance(b, f)
		if err := keep[i].Fit(xs); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	runtime.KeepAlive(xs)
	return (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(len(keep))
}
