package detectortest

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// BenchScore is a univariate detector's per-point benchmark: it scores
// xs one value at a time, from xs[start] on and round again, for b.Loop,
// and reports points/s and the snapshot's size per series. d is expected
// warm (its window full); the caller adds its own heap metric.
func BenchScore(b *testing.B, d sdk.Detector, xs []float64, start int) {
	b.Helper()
	x := make([]float64, 1)
	i := start
	for b.Loop() {
		x[0] = xs[i%len(xs)]
		i++
		if _, err := d.Score(x); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
	b.ReportMetric(float64(len(MustSnapshot(b, d))), "snapshot-B/series")
}
