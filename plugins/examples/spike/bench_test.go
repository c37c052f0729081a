package main

import (
	"fmt"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/examples/spike/spike"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// The plugin's cost is a gRPC round trip per call: batching spreads it over
// the batch. Compare ns/point of each plugin case with in_process.

func factories(b *testing.B) []struct {
	name string
	f    func() sdk.Factory
} {
	return []struct {
		name string
		f    func() sdk.Factory
	}{
		{"in_process", func() sdk.Factory { return spike.Factory }},
		{"plugin", func() sdk.Factory { return launch(b, "").Factory() }},
	}
}

func BenchmarkScore(b *testing.B) {
	xs := series(4096)
	for _, bc := range factories(b) {
		b.Run(bc.name, func(b *testing.B) {
			d, n := newDetector(b, bc.f()), 0
			for b.Loop() {
				if _, err := d.Score(xs[n%len(xs)]); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/point")
		})
	}
}

func BenchmarkScoreBatch(b *testing.B) {
	for _, bc := range factories(b) {
		for _, size := range []int{1024, 8192} {
			b.Run(fmt.Sprintf("%s/points=%d", bc.name, size), func(b *testing.B) {
				xs, out := series(size), make([]float64, size)
				d, n := newDetector(b, bc.f()), 0
				for b.Loop() {
					if _, err := d.ScoreBatch(xs, out); err != nil {
						b.Fatal(err)
					}
					n += len(xs)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/point")
			})
		}
	}
}
