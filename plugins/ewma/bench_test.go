package ewma_test

import (
	"runtime"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/ewma"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// BenchmarkScore measures one point against warm estimates. Besides ns/op
// and allocs it reports points/s, the snapshot size and the heap an
// instance holds, both per series.
func BenchmarkScore(b *testing.B) {
	xs := detectortest.Noisy(7, 4096, 100, 5)
	f := mustFactory(b, ewma.Options{})
	d := mustInstance(b, f)
	detectortest.ScoreValues(b, d, xs[:100])
	detectortest.BenchScore(b, d, xs, 0)
	b.ReportMetric(heapPerInstance(b, f), "heap-B/series")
}

// heapPerInstance measures the bytes allocated by making one instance.
func heapPerInstance(b *testing.B, f *ewma.Factory) float64 {
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
