package detectortest

import (
	"runtime"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// HeapPerInstance returns the bytes allocated, on average, by making one
// instance of f with dimension dim: the memory a series costs before it
// has seen anything. Benchmarks report it as heap-B/series.
func HeapPerInstance(tb testing.TB, f sdk.Factory, dim int) float64 {
	tb.Helper()
	const n = 20
	keep := make([]sdk.Detector, n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range keep {
		d, err := f.New(dim)
		if err != nil {
			tb.Fatalf("New(%d): %v", dim, err)
		}
		keep[i] = d
	}
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return float64(after.TotalAlloc-before.TotalAlloc) / n
}
