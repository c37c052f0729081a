package main

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"time"

	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/protocol"
)

// outageStart is when the backlog's first sample was taken: alerts carry
// sample times from an outage, not the time the benchmark runs.
var outageStart = time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)

// commitSize is how many entries go into one outbox commit while filling,
// as the agent's pipeline commits a batch of up to 512 records at a time.
const commitSize = 512

// agentID names the i-th agent of a fleet.
func agentID(i int) string { return fmt.Sprintf("edge-%02d", i+1) }

// backlog returns n alert entries of one agent, shaped like the pipeline's
// (agent/pipeline/alert.go): round robin over series (temperature and
// pressure readings of several pumps, plus a multivariate vibration
// detector that attributes each alert to its axes), one sample a second
// per series. The payload sizes, label maps and id derivation are the
// real ones, so JSON decoding and SQLite rows cost what they do in use.
func backlog(agent string, n, series int) ([]outbox.Entry, error) {
	out := make([]outbox.Entry, n)
	for i := range out {
		a := alertAt(agent, i%series, outageStart.Add(time.Duration(i/series)*time.Second))
		b, err := json.Marshal(a)
		if err != nil {
			return nil, fmt.Errorf("encode alert: %w", err)
		}
		out[i] = outbox.Entry{Kind: outbox.KindAlert, ID: a.ID, Payload: b}
	}
	return out, nil
}

// alertAt builds the alert of series s at ts. Every third series is the
// multivariate one.
func alertAt(agent string, s int, ts time.Time) protocol.Alert {
	labels := map[string]string{"site": "plant-a", "line": fmt.Sprintf("line-%d", s%4), "device": fmt.Sprintf("pump-%d", s/3)}
	metric, det := []string{"temperature", "pressure", "vibration"}[s%3], "zscore"
	values := map[string]float64{"value": 40 + float64(s) + math.Sin(float64(ts.Unix()))}
	var contributions map[string]float64
	if metric == "vibration" {
		det = "hst"
		values = map[string]float64{"x": 0.12, "y": 0.31, "z": 2.9 + float64(s)/100}
		contributions = map[string]float64{"x": 0.04, "y": 0.07, "z": 0.89}
	}
	series := protocol.SeriesName(metric, labels)
	score := 0.95 + float64(ts.Unix()%50)/1000
	severity := protocol.SeverityWarning
	if score > 0.98 {
		severity = protocol.SeverityCritical
	}
	return protocol.Alert{
		Version: protocol.AlertVersion, ID: protocol.AlertID(agent, series, det, ts), AgentID: agent,
		Series: series, Metric: metric, Labels: labels, Timestamp: ts, Values: values,
		Score: score, Threshold: 0.95, Severity: severity, Detector: det, Contributions: contributions,
		DetectedAt: ts.Add(3 * time.Millisecond),
	}
}

// fillOutbox creates an outbox in dir holding entries, committed in
// pipeline-sized batches, as an agent's outbox is after an outage.
func fillOutbox(dir string, entries []outbox.Entry) (*outbox.Store, error) {
	ob, err := outbox.Open(filepath.Join(dir, "agent.db"))
	if err != nil {
		return nil, err
	}
	for start := 0; start < len(entries); start += commitSize {
		end := min(start+commitSize, len(entries))
		if err := ob.Commit(outbox.Commit{Entries: entries[start:end]}); err != nil {
			_ = ob.Close()
			return nil, err
		}
	}
	return ob, nil
}
