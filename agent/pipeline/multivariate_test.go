package pipeline_test

import (
	"math"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/decision"
	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/pipeline"
	"github.com/pynomaly/pynomaly/plugins/hst"
	"github.com/pynomaly/pynomaly/protocol"
)

func newMultivariate(t *testing.T) *pipeline.Pipeline {
	t.Helper()
	f, err := hst.New(hst.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return pipeline.New(pipeline.Options{AgentID: agentID, Input: "in", Labels: labels, Fields: fields,
		Multivariate: true, Metric: "pump", Factory: f,
		Decision: decision.Options{Threshold: 0.999, Consecutive: 1, ClearAfter: 10},
		Severity: protocol.SeverityWarning, LoadState: states{}.load,
		Now: func() time.Time { return t0.Add(time.Hour) }})
}

// TestMultivariate: the fields of a record are one sample of one series
// named after the metric; its alert carries every value and how much each
// contributed.
func TestMultivariate(t *testing.T) {
	p := newMultivariate(t)
	recs := records(1500, spike{1200, 1})
	res := process(t, p, recs)
	if len(res.Entries) != 1 {
		t.Fatalf("%d alerts, want 1 (the spike)", len(res.Entries))
	}
	a, err := protocol.DecodeAlert(res.Entries[0].Payload)
	if err != nil {
		t.Fatal(err)
	}
	if want := protocol.SeriesName("pump", labels); a.Series != want || a.Metric != "pump" {
		t.Errorf("alert series %q metric %q, want %q, pump", a.Series, a.Metric, want)
	}
	if !a.Timestamp.Equal(recs[1200].Timestamp) {
		t.Errorf("alert at %v, want the spike's %v", a.Timestamp, recs[1200].Timestamp)
	}
	spiked := recs[1200].Values
	if a.Values["temperature"] != spiked[0] || a.Values["pressure"] != spiked[1] || len(a.Values) != 2 {
		t.Errorf("alert values %v, want temperature %v, pressure %v", a.Values, spiked[0], spiked[1])
	}
	c := a.Contributions
	if len(c) != 2 || math.Abs(c["temperature"]+c["pressure"]-1) > 1e-9 || c["pressure"] <= c["temperature"] {
		t.Errorf("contributions %v: want shares of temperature and pressure summing to 1, pressure's larger", c)
	}
	if len(res.States) != 1 {
		t.Errorf("%d series states, want 1", len(res.States))
	}
}

// TestMultivariateOwnFields: records that bring their own fields (MQTT)
// make a series per label set with the first record's fields; a record
// with the same fields in another order is reordered, one with other
// fields is skipped and reported.
func TestMultivariateOwnFields(t *testing.T) {
	p := newMultivariate(t)
	recs := records(1500, spike{1200, 1})
	dev := map[string]string{"device": "d1"}
	for i := range recs {
		recs[i].Labels, recs[i].Fields = dev, fields
	}
	swapped := []string{"pressure", "temperature"}
	recs[1200].Fields, recs[1200].Values = swapped, []float64{recs[1200].Values[1], recs[1200].Values[0]}
	recs[1300].Fields = []string{"temperature", "humidity"}
	res := process(t, p, recs)
	if len(res.Entries) != 1 {
		t.Fatalf("%d alerts, want 1 (the spike, reordered)", len(res.Entries))
	}
	a, err := protocol.DecodeAlert(res.Entries[0].Payload)
	if err != nil {
		t.Fatal(err)
	}
	if a.Values["pressure"] < 50 || a.Labels["device"] != "d1" {
		t.Errorf("alert values %v labels %v: want the spiked pressure, device d1", a.Values, a.Labels)
	}
	if len(res.Bad) != 1 || res.Bad[0].Line != recs[1300].Line || res.Bad[0].Reason != input.ReasonFields {
		t.Errorf("bad records %+v, want line %d with reason %s", res.Bad, recs[1300].Line, input.ReasonFields)
	}
}
