package surprise_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/surprise"
)

// BenchmarkScore measures one point with the seasonal model running (past
// 2,017 points). Besides ns/op and allocs it reports points/s, the
// snapshot size and the heap a new instance holds, both per series; "off"
// is the same without the novelty channel, the cost's baseline.
func BenchmarkScore(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts surprise.Options
	}{{"default", surprise.Options{}}, {"off", surprise.Options{Novelty: surprise.NoNovelty}}} {
		b.Run(bc.name, func(b *testing.B) {
			xs := daily(8192, 288)
			f := mustFactory(b, bc.opts)
			d := mustInstance(b, f)
			detectortest.ScoreValues(b, d, xs[:3000])
			detectortest.BenchScore(b, d, xs, 0)
			b.ReportMetric(detectortest.HeapPerInstance(b, f, 1), "heap-B/series")
		})
	}
}
