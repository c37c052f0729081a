package pipeline_test

import (
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/protocol"
)

// TestRecordsWithOwnLabels: records that bring their own labels and fields
// (MQTT messages) make one series per label set and field, each with its
// own detector state; the input's labels win over a record's.
func TestRecordsWithOwnLabels(t *testing.T) {
	var recs []input.Record
	for i := range 400 {
		ts := t0.Add(time.Duration(i) * time.Second)
		device := []string{"a", "b"}[i%2]
		v := 20 + math.Sin(float64(i)*0.7)
		if i == 300 { // device a only
			v += 50
		}
		r := input.Record{Line: int64(i + 1), Timestamp: ts, TimestampText: ts.Format(time.RFC3339),
			Labels: map[string]string{"device": device, "site": "elsewhere"}, Fields: []string{"temp"}, Values: []float64{v}}
		if device == "b" { // b also reports humidity, spiking at 301
			h := 50 + math.Cos(float64(i))
			if i == 301 {
				h += 80
			}
			r.Fields, r.Values = []string{"humidity", "temp"}, []float64{h, v}
		}
		recs = append(recs, r)
	}
	res := process(t, newPipeline(t, 64, nil, nil), recs)
	want := map[string]string{
		`temp{device="a",site="a"}`:     protocol.AlertID(agentID, `temp{device="a",site="a"}`, "zscore", t0.Add(300*time.Second)),
		`humidity{device="b",site="a"}`: protocol.AlertID(agentID, `humidity{device="b",site="a"}`, "zscore", t0.Add(301*time.Second)),
	}
	if len(res.Entries) != len(want) {
		t.Fatalf("%d alerts, want %d: %v", len(res.Entries), len(want), res.Entries)
	}
	for _, e := range res.Entries {
		a, err := protocol.DecodeAlert(e.Payload)
		if err != nil {
			t.Fatal(err)
		}
		if want[a.Series] != a.ID || a.Labels["site"] != "a" || a.Labels["device"] == "" {
			t.Errorf("alert %s for %s with labels %v; want one of %v, site a", a.ID, a.Series, a.Labels, want)
		}
	}
	wantStates := []string{`in/temp{device="a",site="a"}`, `in/temp{device="b",site="a"}`, `in/humidity{device="b",site="a"}`}
	if len(res.States) != len(wantStates) {
		t.Errorf("states for %d series, want %d: %v", len(res.States), len(wantStates), slices.Sorted(maps.Keys(res.States)))
	}
	for _, k := range wantStates {
		if res.States[k] == nil {
			t.Errorf("no state for %s; have %v", k, slices.Sorted(maps.Keys(res.States)))
		}
	}
}

// TestRecordLabelsMerge: a series' labels are the record's with the
// input's added, the input's winning, whether the record's map already
// holds them (an MQTT topic's does, and is shared), lacks them, or says
// otherwise.
func TestRecordLabelsMerge(t *testing.T) {
	tests := []struct {
		name   string
		labels map[string]string
		want   map[string]string
	}{
		{"holds the input's", map[string]string{"device": "d", "site": "a"}, map[string]string{"device": "d", "site": "a"}},
		{"lacks them", map[string]string{"device": "d"}, map[string]string{"device": "d", "site": "a"}},
		{"relabels", map[string]string{"device": "d", "site": "b"}, map[string]string{"device": "d", "site": "a"}},
		{"none", map[string]string{}, map[string]string{"site": "a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs := records(100, spike{90, 0})
			for i := range recs {
				recs[i].Labels, recs[i].Fields, recs[i].Values = tc.labels, fields[:1], recs[i].Values[:1]
			}
			before := maps.Clone(tc.labels)
			res := process(t, newPipeline(t, 64, nil, nil), recs)
			if len(res.Entries) != 1 {
				t.Fatalf("%d alerts, want 1", len(res.Entries))
			}
			if !maps.Equal(tc.labels, before) {
				t.Errorf("the record's labels changed to %v, from %v", tc.labels, before)
			}
			a, err := protocol.DecodeAlert(res.Entries[0].Payload)
			if err != nil {
				t.Fatal(err)
			}
			if want := protocol.SeriesName(fields[0], tc.want); a.Series != want || !maps.Equal(a.Labels, tc.want) {
				t.Errorf("series %s labels %v, want %s %v", a.Series, a.Labels, want, tc.want)
			}
			if len(res.States) != 1 || res.States["in/"+a.Series] == nil {
				t.Errorf("states %v, want one, under in/%s", slices.Sorted(maps.Keys(res.States)), a.Series)
			}
		})
	}
}
