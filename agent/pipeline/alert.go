package pipeline

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/protocol"
)

func (p *Pipeline) alert(f *field, s *series, rec *input.Record, x []float64, score, threshold float64) (outbox.Entry, error) {
	det := p.opts.Factory.Info().Name
	values := map[string]float64{f.name: x[0]}
	var contributions map[string]float64
	if f.names != nil {
		values = make(map[string]float64, len(f.names))
		for i, name := range f.names {
			values[name] = x[i]
		}
		contributions = p.explain(f, s, x)
	}
	a := protocol.Alert{
		Version:       protocol.AlertVersion,
		ID:            protocol.AlertID(p.opts.AgentID, f.series, det, rec.Timestamp),
		AgentID:       p.opts.AgentID,
		Series:        f.series,
		Metric:        f.name,
		Labels:        f.labels,
		Timestamp:     rec.Timestamp,
		Values:        values,
		Score:         score,
		Threshold:     threshold,
		Severity:      p.opts.Severity,
		Detector:      det,
		Contributions: contributions,
		DetectedAt:    p.opts.Now().UTC(),
	}
	b, err := json.Marshal(a)
	if err != nil {
		return outbox.Entry{}, fmt.Errorf("encode alert: %w", err)
	}
	return outbox.Entry{Kind: outbox.KindAlert, ID: a.ID, Payload: b}, nil
}

// explain attributes an alert's sample to its fields, if the detector can
// (sdk.Explainer), as shares summing to 1. Without an answer the alert
// goes out without attributions: it is not worth losing.
func (p *Pipeline) explain(f *field, s *series, x []float64) map[string]float64 {
	e, ok := s.det.(sdk.Explainer)
	if !ok {
		return nil
	}
	c, err := e.Explain(x)
	if err != nil || len(c) != len(f.names) {
		p.opts.Logger.Debug("detector did not explain an alert", "series", f.series, "err", err)
		return nil
	}
	var sum float64
	for _, v := range c {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil
		}
		sum += v
	}
	out := make(map[string]float64, len(c))
	for i, name := range f.names {
		if sum > 0 {
			out[name] = c[i] / sum
		} else {
			out[name] = 0
		}
	}
	return out
}
