package harness

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/agent/pipeline"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/protocol"
)

// batchRows is what the agent's file input hands its pipeline at a time
// (agent.batchRows); the same size keeps ScoreBatch and state snapshots
// on the agent's rhythm.
const batchRows = 512

// series is one file as the agent saw it: its rows, their scores and the
// rows at which an alert was raised.
type series struct {
	ts      []time.Time
	tsText  []string
	values  []float64
	scores  []float64
	alerted []bool
	alerts  int
}

// stream reads the CSV file at path through the agent's reader and
// pipeline. Every row must be usable: a row the agent would skip would
// shift the labels' row windows, so it is an error, naming its line.
func stream(path string, f sdk.Factory, dec config.Decision) (*series, error) {
	rd, err := input.OpenFile(path, input.FileOptions{Format: input.FormatCSV, TimestampField: "timestamp", Fields: []string{"value"}})
	if err != nil {
		return nil, err
	}
	defer func() { _ = rd.Close() }()
	s := &series{}
	p := pipeline.New(pipeline.Options{
		AgentID: "nab", Input: "nab", Fields: []string{"value"}, Factory: tapFactory{f, &s.scores},
		Decision: dec.DecisionOptions(), NewPolicy: dec.NewPolicy, Severity: dec.Severity,
		LoadState: func(string) ([]byte, error) { return nil, nil },
	})
	for {
		b, err := rd.Next(batchRows)
		if errors.Is(err, io.EOF) {
			return s, s.check()
		}
		if err != nil {
			return nil, err
		}
		if len(b.Bad) > 0 {
			return nil, fmt.Errorf("%s: %w", path, b.Bad[0].Err)
		}
		if err := s.process(p, b.Records); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
}

func (s *series) process(p *pipeline.Pipeline, recs []input.Record) error {
	first := len(s.ts)
	for _, r := range recs {
		s.ts = append(s.ts, r.Timestamp)
		s.tsText = append(s.tsText, r.TimestampText)
		s.values = append(s.values, r.Values[0])
		s.alerted = append(s.alerted, false)
	}
	res, err := p.Process(recs)
	if err != nil {
		return err
	}
	return s.markAlerts(res.Entries, first)
}

// markAlerts finds the rows of the batch starting at row first where the
// alerts were raised. Alerts come in row order; NAB repeats a few
// timestamps (clocks going back), so each is matched from the last on.
func (s *series) markAlerts(entries []outbox.Entry, first int) error {
	row := first
	for _, e := range entries {
		var a protocol.Alert
		if err := json.Unmarshal(e.Payload, &a); err != nil {
			return fmt.Errorf("decode alert: %w", err)
		}
		for row < len(s.ts) && !s.ts[row].Equal(a.Timestamp) {
			row++
		}
		if row == len(s.ts) {
			return fmt.Errorf("alert at %s matches no row of its batch", a.Timestamp)
		}
		s.alerted[row] = true
		s.alerts++
	}
	return nil
}

// check makes sure the tap saw one score per row: a detector refusing a
// value would otherwise shift every later score onto the wrong row.
func (s *series) check() error {
	if len(s.scores) != len(s.ts) {
		return fmt.Errorf("the detector scored %d of %d rows", len(s.scores), len(s.ts))
	}
	if len(s.ts) == 0 {
		return errors.New("no rows")
	}
	return nil
}
