package surprise_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/surprise"
)

// BenchmarkScore measures one point with the seasonal model running (past
// 2,017 points). Besides ns/op and allocs it reports points/s, the
// snapshot size and the heap an instance holds, both per series.
func BenchmarkScore(b *testing.B) {
	xs := daily(8192, 288)
	f := mustFactory(b, surprise.Options{})
	d := mustInstance(b, f)
	detectortest.ScoreValues(b, d, xs[:3000])
	detectortest.BenchScore(b, d, xs, 0)
	b.ReportMetric(detectortest.HeapPerInstance(b, f, 1), "heap-B/series")
}
