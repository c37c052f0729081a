package pipeline_test

import (
	"bytes"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/decision"
	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/pipeline"
	"github.com/pynomaly/pynomaly/plugins/threshold"
	"github.com/pynomaly/pynomaly/plugins/zscore"
	"github.com/pynomaly/pynomaly/protocol"
)

const agentID = "edge-1"

var (
	t0     = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	labels = map[string]string{"site": "a"}
	fields = []string{"temperature", "pressure"}
)

// spike is an anomalous value of one field at one row.
type spike struct{ row, field int }

// records returns n rows, one per second, of two bounded oscillating
// fields around 20 and 5, with each spike 50 above its field's level.
// Bounded noise keeps normal points far below any alerting threshold.
func records(n int, spikes ...spike) []input.Record {
	recs := make([]input.Record, n)
	for i := range recs {
		ts := t0.Add(time.Duration(i) * time.Second)
		recs[i] = input.Record{Line: int64(i + 2), Timestamp: ts, TimestampText: ts.Format(time.RFC3339),
			Values: []float64{20 + math.Sin(float64(i)*0.7), 5 + math.Cos(float64(i)*1.3)}}
	}
	for _, s := range spikes {
		recs[s.row].Values[s.field] += 50
	}
	return recs
}

// alertID is the id the pipeline must give a spike.
func alertID(s spike) string {
	return protocol.AlertID(agentID, protocol.SeriesName(fields[s.field], labels), "zscore", t0.Add(time.Duration(s.row)*time.Second))
}

// states is what the outbox would hold: the latest committed state per key.
type states map[string][]byte

func (s states) load(key string) ([]byte, error) { return s[key], nil }

func newPipeline(t testing.TB, window int, load func(string) ([]byte, error), logger *slog.Logger) *pipeline.Pipeline {
	t.Helper()
	return newPipelineWith(t, window, load, logger, nil)
}

// newPipelineWith is newPipeline with a threshold policy; nil is fixed at
// 0.999.
func newPipelineWith(t testing.TB, window int, load func(string) ([]byte, error), logger *slog.Logger, policy func() (threshold.Policy, error)) *pipeline.Pipeline {
	t.Helper()
	f, err := zscore.New(zscore.Options{Window: window, MinSamples: 16})
	if err != nil {
		t.Fatal(err)
	}
	if load == nil {
		load = states{}.load
	}
	return pipeline.New(pipeline.Options{AgentID: agentID, Input: "in", Labels: labels, Fields: fields,
		Factory: f, Decision: decision.Options{Threshold: 0.999, Consecutive: 1, ClearAfter: 10}, NewPolicy: policy,
		Severity: protocol.SeverityWarning, LoadState: load, Logger: logger,
		Now: func() time.Time { return t0.Add(time.Hour) }})
}

func process(t testing.TB, p *pipeline.Pipeline, recs []input.Record) pipeline.Result {
	t.Helper()
	res, err := p.Process(recs)
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	if res.Alerts != len(res.Entries) {
		t.Errorf("Result.Alerts = %d with %d entries", res.Alerts, len(res.Entries))
	}
	return res
}

// runInBatches processes recs in batches cut at cuts, with a new pipeline
// per batch that starts from the states the previous ones committed, as
// the agent does after a restart. It returns the entries as "id payload"
// lines, grouped by series (stable, so each series keeps its emitted
// order: what the agent promises is order per series, not across series
// within a batch), and the final states.
func runInBatches(t testing.TB, recs []input.Record, cuts ...int) ([]string, states) {
	t.Helper()
	return runInBatchesWith(t, nil, recs, cuts...)
}

// runInBatchesWith is runInBatches with a threshold policy.
func runInBatchesWith(t testing.TB, policy func() (threshold.Policy, error), recs []input.Record, cuts ...int) ([]string, states) {
	t.Helper()
	st := states{}
	var out []string
	start := 0
	for _, end := range append(cuts, len(recs)) {
		res := process(t, newPipelineWith(t, 64, st.load, nil, policy), recs[start:end])
		for _, e := range res.Entries {
			out = append(out, e.ID+" "+string(e.Payload))
		}
		maps.Copy(st, res.States)
		start = end
	}
	slices.SortStableFunc(out, func(a, b string) int {
		return strings.Compare(seriesOf(t, a), seriesOf(t, b))
	})
	return out, st
}

// seriesOf returns the series of an "id payload" line.
func seriesOf(t testing.TB, line string) string {
	_, payload, _ := strings.Cut(line, " ")
	a, err := protocol.DecodeAlert([]byte(payload))
	if err != nil {
		t.Fatalf("entry payload: %v", err)
	}
	return a.Series
}

func equalStates(a, b states) bool {
	return maps.EqualFunc(a, b, func(x, y []byte) bool { return bytes.Equal(x, y) })
}

func quoteAll(ss []string) string {
	var b bytes.Buffer
	for _, s := range ss {
		b.WriteString(strconv.Quote(s[:min(len(s), 40)]))
		b.WriteByte(' ')
	}
	return b.String()
}
