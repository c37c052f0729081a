package ingest

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/protocol"
)

// agentAlert is an alert as the agent's pipeline encodes it.
func agentAlert(t testing.TB, edit func(a *protocol.Alert)) []byte {
	t.Helper()
	ts := time.Date(2026, 11, 26, 2, 0, 1, 535897932, time.UTC)
	labels := map[string]string{"site": "plant-a", "device": "pump-1"}
	series := protocol.SeriesName("vibration", labels)
	a := protocol.Alert{
		Version: protocol.AlertVersion, ID: protocol.AlertID("edge-01", series, "hst", ts), AgentID: "edge-01",
		Series: series, Metric: "vibration", Labels: labels, Timestamp: ts,
		Values: map[string]float64{"x": 0.12, "y": -0.31, "z": 2.9}, Score: 0.97, Threshold: 0.95,
		Severity: protocol.SeverityWarning, Detector: "hst",
		Contributions: map[string]float64{"x": 0.04, "y": 0.07, "z": 0.89}, DetectedAt: ts.Add(3 * time.Millisecond),
	}
	if edit != nil {
		edit(&a)
	}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeFastTakesAgentsAlerts: what agents send must take the fast
// path, or ingest silently slows down to encoding/json's pace.
func TestDecodeFastTakesAgentsAlerts(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"multivariate", agentAlert(t, nil)},
		{"univariate", agentAlert(t, func(a *protocol.Alert) {
			a.Values, a.Contributions, a.ModelVersion = map[string]float64{"value": 1e-7}, nil, "m-3"
		})},
		{"no labels", agentAlert(t, func(a *protocol.Alert) { a.Labels = nil; a.Series = "temperature" })},
		{"zoned sample time", agentAlert(t, func(a *protocol.Alert) {
			a.Timestamp = a.Timestamp.In(time.FixedZone("CET", 3600))
		})},
		{"non-ASCII label", agentAlert(t, func(a *protocol.Alert) { a.Labels["site"] = "Zürich-Ørsted" })},
		{"invalid alert", agentAlert(t, func(a *protocol.Alert) { a.Score = 7 })},
		{"escapes", []byte(`{"i\u0064":"a\"b\\c\/d\u00e9\u00E9\b\f\n\r\t","labels":{"k\"":"\u0000"}}`)},
		{"white space", []byte(" {\"v\" : 1 ,\n\t\"id\":\"x\", \"values\" : { } , \"labels\":{\"a\" :\"b\"}}\r\n")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := decodeFast(tc.data)
			if !ok {
				t.Fatalf("decodeFast gave up on %s", tc.data)
			}
			checkSameAlert(t, tc.data, got)
		})
	}
}

// TestDecodeFastGivesUp: what it does not read as encoding/json would, it
// leaves to encoding/json.
func TestDecodeFastGivesUp(t *testing.T) {
	for _, data := range []string{
		``, `null`, `{}`, `[]`, `{"v":1`, `{"v":1}x`, `{"v":1,}`, `{"v":1 "id":"x"}`,
		`{"v":1,"v":1}`, `{"V":1}`, `{"id":"x","extra":1}`, `{"id":null}`, `{"labels":null}`,
		`{"id":"\ud83d\ude00"}`, `{"id":"\udc00"}`, `{"id":"a\x"}`, `{"id":"\u12"}`, `{"id":"\u12g4"}`,
		`{"id":"a\"}`, "{\"id\":\"a\tb\"}", "{\"id\":\"\xff\"}",
		`{"v":1.0}`, `{"v":1e0}`, `{"v":01}`, `{"v":-}`, `{"v":99999999999999999999}`, `{"v":"1"}`,
		`{"score":1e400}`, `{"score":.5}`, `{"score":1.}`, `{"score":+1}`, `{"score":0x10}`, `{"score":NaN}`,
		`{"timestamp":"yesterday"}`, `{"timestamp":1}`, `{"timestamp":"2026-11-26T02:00:01\u005a"}`,
		`{"labels":{"a":1}}`, `{"labels":{"a":"b",}}`, `{"values":{"a":"1"}}`, `{"values":[1]}`,
	} {
		if a, ok := decodeFast([]byte(data)); ok {
			t.Errorf("decodeFast(%s) = %+v, want it to give up", data, a)
		}
	}
}

// FuzzDecodePayload: decodePayload agrees with protocol.DecodeAlert on
// every input, and what decodeFast takes, it decodes as encoding/json does.
func FuzzDecodePayload(f *testing.F) {
	f.Add(agentAlert(f, nil))
	f.Add(agentAlert(f, func(a *protocol.Alert) { a.Labels, a.Contributions = nil, map[string]float64{} }))
	f.Add([]byte(`{"v":1,"id":"x","agent_id":"a","series":"s","timestamp":"0001-01-01T00:00:01+01:00","score":-0,"values":{"a":1,"a":2}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodePayload(data)
		want, wantErr := protocol.DecodeAlert(data)
		if (err == nil) != (wantErr == nil) || err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("decodePayload(%q) = %+v, %v\nprotocol.DecodeAlert: %+v, %v", data, got, err, want, wantErr)
		}
		if a, ok := decodeFast(data); ok {
			checkSameAlert(t, data, a)
		}
	})
}

func checkSameAlert(t *testing.T, data []byte, got protocol.Alert) {
	t.Helper()
	var want protocol.Alert
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("decodeFast took %q, which encoding/json refuses: %v", data, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeFast(%q)\n = %+v\nwant %+v", data, got, want)
	}
}

// BenchmarkDecode compares decodePayload with protocol.DecodeAlert on an
// agent's multivariate alert.
func BenchmarkDecode(b *testing.B) {
	data := agentAlert(b, nil)
	for _, bc := range []struct {
		name   string
		decode func([]byte) (protocol.Alert, error)
	}{
		{"decodePayload", decodePayload},
		{"protocol.DecodeAlert", protocol.DecodeAlert},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
