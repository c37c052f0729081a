package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/agent/pipeline"
)

const benchRows = 100_000

// benchCSV writes a two-column CSV with a spike every 500 rows.
func benchCSV(b *testing.B) string {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("timestamp,temperature,pressure\n")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range benchRows {
		v := 20 + math.Sin(float64(i)/50)
		if i%500 == 499 {
			v += 30
		}
		fmt.Fprintf(&sb, "%s,%.3f,%.3f\n", t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339), v, 2+v/100)
	}
	path := filepath.Join(b.TempDir(), "bench.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkFileInput measures the agent's data path on one file: parse,
// score two series, decide, and commit each batch (alerts, states, offset)
// to a real bbolt outbox. "read" is the baseline: parsing alone, in the same
// run, so the ratio between the two is what detection and durability cost.
func BenchmarkFileInput(b *testing.B) {
	path := benchCSV(b)
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			rd, err := input.OpenFile(path, input.FileOptions{Format: input.FormatCSV, TimestampField: "timestamp"})
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := rd.Next(batchRows); errors.Is(err, io.EOF) {
					break
				}
			}
			_ = rd.Close()
		}
		b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("pipeline+outbox", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			r := benchRunner(b, path)
			b.StartTimer()
			if err := r.runOnce(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			_ = r.ob.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

func benchRunner(b *testing.B, path string) *fileRunner {
	b.Helper()
	a, ob, pm := benchAgent(b)
	in := config.Input{Name: "bench", File: &config.FileInput{Path: path, Format: "csv", TimestampColumn: "timestamp"}}
	return a.newFileRunner(in, ob, pm)
}

// benchAgent is an agent on zscore with a fresh outbox, which the caller
// closes, and its pipeline metrics.
func benchAgent(b *testing.B) (*Agent, *outbox.Store, *pipeline.Metrics) {
	b.Helper()
	cfg := &config.Config{
		Agent:    config.Agent{ID: "bench", DataDir: b.TempDir()},
		Detector: config.Detector{Type: "zscore"},
		Decision: config.Decision{Threshold: 0.9999, Consecutive: 1, ClearAfter: 10, Severity: "warning"},
	}
	a, err := New(cfg, "bench", nil)
	if err != nil {
		b.Fatal(err)
	}
	ob, err := outbox.Open(filepath.Join(cfg.Agent.DataDir, OutboxFile))
	if err != nil {
		b.Fatal(err)
	}
	pm, err := pipeline.NewMetrics(a.reg)
	if err != nil {
		b.Fatal(err)
	}
	return a, ob, pm
}
