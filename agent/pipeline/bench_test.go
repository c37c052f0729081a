package pipeline_test

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/decision"
	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/pipeline"
	"github.com/pynomaly/pynomaly/plugins/zscore"
	"github.com/pynomaly/pynomaly/protocol"
)

// BenchmarkProcess scores batches of 512 records shaped as the MQTT input
// makes them: each record with its topic's labels (one map per topic,
// shared by its records) and their key, one field, values of three
// decimals, zscore at its default window. With devices=1 every record is
// one series'; with devices=512 each record of a batch is its own. Besides
// ns/op it reports points/s and the heap the pipeline holds per series
// once the series' windows are full (detector, decision and pipeline
// state).
func BenchmarkProcess(b *testing.B) {
	for _, devices := range []int{1, 512} {
		b.Run(fmt.Sprintf("devices=%d", devices), func(b *testing.B) {
			p := newMQTTPipeline(b)
			batches := mqttBatches(devices, 512, 256)
			for _, recs := range batches { // fill the windows first
				processBatch(b, p, recs)
			}
			i := 0
			for b.Loop() {
				processBatch(b, p, batches[i%len(batches)])
				i++
			}
			b.ReportMetric(float64(512*b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
	b.Run("heap", func(b *testing.B) {
		for b.Loop() {
			b.ReportMetric(heapPerSeries(b, 2048), "heap-B/series")
		}
	})
}

// heapPerSeries returns the heap a pipeline holds per series after n
// series have each filled their window, records and results excluded.
func heapPerSeries(b *testing.B, n int) float64 {
	batches := mqttBatches(n, n, zscore.DefaultWindow)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	p := newMQTTPipeline(b)
	for _, recs := range batches {
		processBatch(b, p, recs)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(p)
	runtime.KeepAlive(batches)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}

func newMQTTPipeline(b *testing.B) *pipeline.Pipeline {
	f, err := zscore.New(zscore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	base := map[string]string{"input": "plant"}
	return pipeline.New(pipeline.Options{AgentID: agentID, Input: "plant", Labels: base, Factory: f,
		Decision: decision.Options{Threshold: 0.999, Consecutive: 1, ClearAfter: 10},
		Severity: protocol.SeverityWarning, LoadState: states{}.load, Now: func() time.Time { return t0 }})
}

// mqttBatches returns points records over devices series, one value each
// in turn, cut into batches of size, labelled as the MQTT input labels a
// topic plant/s/dev-N/telemetry.
func mqttBatches(devices, size, perDevice int) [][]input.Record {
	labels := make([]map[string]string, devices)
	keys := make([]string, devices)
	for d := range labels {
		labels[d] = map[string]string{"input": "plant", "site": "s", "device": "dev-" + strconv.Itoa(d)}
		keys[d] = protocol.SeriesName("", labels[d])
	}
	field := []string{"v"}
	var batches [][]input.Record
	for i := range devices * perDevice {
		if i%size == 0 {
			batches = append(batches, make([]input.Record, 0, size))
		}
		d := i % devices
		v, _ := strconv.ParseFloat(strconv.FormatFloat(20+float64(i%97)/10, 'f', 3, 64), 64)
		ts := t0.Add(time.Duration(i) * time.Millisecond)
		last := &batches[len(batches)-1]
		*last = append(*last, input.Record{Timestamp: ts, Values: []float64{v}, Fields: field, Labels: labels[d], LabelsKey: keys[d]})
	}
	return batches
}

func processBatch(b *testing.B, p *pipeline.Pipeline, recs []input.Record) {
	if _, err := p.Process(recs); err != nil {
		b.Fatal(err)
	}
}
