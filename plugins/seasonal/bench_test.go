package seasonal_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/seasonal"
)

// BenchmarkScore measures one point of a warm model. Besides ns/op and
// allocs it reports points/s, the snapshot size and the heap an instance
// holds, both per series.
func BenchmarkScore(b *testing.B) {
	for _, m := range []int{24, 288, 2016} { // hourly/daily at 5 min, weekly at 5 min
		b.Run(fmt.Sprintf("season=%d", m), func(b *testing.B) {
			xs := sine(7, 4*m, m, 10, 1)
			f := mustFactory(b, seasonal.Options{Season: m})
			d := mustInstance(b, f)
			detectortest.ScoreValues(b, d, xs[:2*m])
			detectortest.BenchScore(b, d, xs, 2*m)
			b.ReportMetric(heapPerInstance(b, f), "heap-B/series")
		})
	}
}

// heapPerInstance measures the bytes allocated by making one instance.
func heapPerInstance(b *testing.B, f *seasonal.Factory) float64 {
	const n = 100
	keep := make([]sdk.Detector, n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range keep {
		keep[i] = mustInstance(b, f)
	}
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return float64(after.TotalAlloc-before.TotalAlloc) / n
}
