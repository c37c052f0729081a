package input_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/input"
)

// BenchmarkNextCSV reads a NAB-shaped file (timestamp plus two values).
func BenchmarkNextCSV(b *testing.B) {
	const rows = 100_000
	var sb strings.Builder
	sb.WriteString("timestamp,value,other\n")
	for i := range rows {
		fmt.Fprintf(&sb, "2015-02-26 %02d:%02d:%02d,%d.5,%d\n", i/3600%24, i/60%60, i%60, i%997, i%13)
	}
	r := open(b, writeFile(b, sb.String()), input.FileOptions{Format: input.FormatCSV, TimestampField: "timestamp"})
	b.ReportAllocs()
	read := 0
	for b.Loop() {
		if err := r.Resume(0, 0); err != nil {
			b.Fatal(err)
		}
		for {
			batch, err := r.Next(1024)
			read += len(batch.Records)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	if read%rows != 0 {
		b.Fatalf("read %d rows, not a multiple of %d", read, rows)
	}
	b.ReportMetric(float64(read)/b.Elapsed().Seconds(), "rows/s")
}
