package payload_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/agent/payload"
)

// BenchmarkParse parses a typical small message of each format, reusing
// dst as the MQTT input would.
func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts payload.Options
		msg  string
	}{
		{"json", payload.Options{Format: payload.FormatJSON, TimestampPath: "ts",
			Fields: []payload.Field{{Path: "temp"}, {Path: "motor.rpm"}, {Path: "motor.current"}}},
			`{"ts":"2024-01-02T03:04:05.123Z","temp":21.5,"motor":{"rpm":1500,"current":3.2},"status":"ok"}`},
		{"number", payload.Options{Format: payload.FormatNumber}, "21.5"},
		{"csv", payload.Options{Format: payload.FormatCSV, Columns: []string{"time", "temp", "rpm", "current"}},
			"1704164645.123,21.5,1500,3.2"},
		{"influx", payload.Options{Format: payload.FormatInflux},
			"pump,site=a,device=p1 temp=21.5,rpm=1500i,current=3.2,status=\"ok\" 1704164645123000000"},
		{"senml", payload.Options{Format: payload.FormatSenML},
			`[{"bn":"urn:dev:p1:","bt":1704164645.123,"n":"temp","u":"Cel","v":21.5},{"n":"rpm","v":1500},{"n":"current","u":"A","v":3.2}]`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := mustParser(b, bc.opts)
			msg := []byte(bc.msg)
			var dst []payload.Sample
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				var err error
				if dst, err = p.Parse(msg, received, dst[:0]); err != nil || len(dst) != 1 {
					b.Fatalf("%d samples, error %v", len(dst), err)
				}
			}
		})
	}
}

// BenchmarkTemplateMatch matches a topic with two named levels.
func BenchmarkTemplateMatch(b *testing.B) {
	tpl, err := payload.ParseTemplate("plant/+site/+device/telemetry")
	if err != nil {
		b.Fatal(err)
	}
	labels := map[string]string{}
	b.ReportAllocs()
	for b.Loop() {
		if !tpl.Match("plant/north/pump-1/telemetry", labels) {
			b.Fatal("no match")
		}
	}
}
