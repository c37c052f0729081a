package store_test

import (
	"strconv"
	"testing"
	"time"
)

func BenchmarkInsertAlerts(b *testing.B) {
	const batchSize = 256
	s, _ := openTestStore(b)
	batch := seqAlerts("edge-1", batchSize, t0)
	iterations := 0
	for b.Loop() {
		// Fresh ids each round, or every batch after the first would be
		// skipped as duplicates and measure nothing.
		for i := range batch {
			batch[i].ID = strconv.Itoa(iterations*batchSize + i)
		}
		if _, err := s.InsertAlerts(b.Context(), batch, time.Now()); err != nil {
			b.Fatal(err)
		}
		iterations++
	}
	b.ReportMetric(float64(iterations*batchSize)/b.Elapsed().Seconds(), "alerts/s")
}
