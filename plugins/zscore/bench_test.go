package zscore_test

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/zscore"
)

// BenchmarkScore measures one point against a full window. Besides ns/op
// and allocs it reports points/s, the snapshot size and the heap an
// instance holds, per series: new, and once its window is full. Values are
// full float64s, or decimals of one place as a sensor would send them
// ("100.3"), which a window holds as 2-byte mantissas, or as bytes when
// they lie within 25.5 of each other ("narrow": a room's temperature).
func BenchmarkScore(b *testing.B) {
	noisy := detectortest.Noisy(7, 4096, 100, 5)
	for _, values := range []string{"float", "decimal", "narrow"} {
		xs := noisy
		switch values {
		case "decimal":
			xs = decimals(noisy, 1)
		case "narrow":
			xs = decimals(detectortest.Noisy(7, 4096, 21, 0.5), 1)
		}
		for _, w := range []int{64, 256, 1024} {
			b.Run(fmt.Sprintf("values=%s/window=%d", values, w), func(b *testing.B) { benchmarkScore(b, xs, w) })
		}
	}
}

// decimals returns xs as the float64s of their text with places decimals.
func decimals(xs []float64, places int) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i], _ = strconv.ParseFloat(strconv.FormatFloat(x, 'f', places, 64), 64)
	}
	return out
}

func benchmarkScore(b *testing.B, xs []float64, w int) {
	f := mustFactory(b, zscore.Options{Window: w})
	d := mustInstance(b, f)
	detectortest.ScoreValues(b, d, xs[:w])
	detectortest.BenchScore(b, d, xs, 0)
	b.ReportMetric(heapPerInstance(b, f, nil), "heap-B/new-series")
	b.ReportMetric(heapPerInstance(b, f, xs[:w]), "heap-B/series")
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
