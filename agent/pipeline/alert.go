package pipeline

import (
	"encoding/json"
	"fmt"

	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/protocol"
)

func (p *Pipeline) alert(f *field, rec *input.Record, v, score, threshold float64) (outbox.Entry, error) {
	det := p.opts.Factory.Info().Name
	a := protocol.Alert{
		Version:    protocol.AlertVersion,
		ID:         protocol.AlertID(p.opts.AgentID, f.series, det, rec.Timestamp),
		AgentID:    p.opts.AgentID,
		Series:     f.series,
		Metric:     f.name,
		Labels:     f.labels,
		Timestamp:  rec.Timestamp,
		Values:     map[string]float64{f.name: v},
		Score:      score,
		Threshold:  threshold,
		Severity:   p.opts.Severity,
		Detector:   det,
		DetectedAt: p.opts.Now().UTC(),
	}
	b, err := json.Marshal(a)
	if err != nil {
		return outbox.Entry{}, fmt.Errorf("encode alert: %w", err)
	}
	return outbox.Entry{Kind: outbox.KindAlert, ID: a.ID, Payload: b}, nil
}
