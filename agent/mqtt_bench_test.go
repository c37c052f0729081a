package agent

import (
	"fmt"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/mqtt"
)

// BenchmarkMQTTBatch is the MQTT input's work on one batch of 512 JSON
// messages, without the broker: parse, score, commit to a real outbox.
// "parse" alone is the baseline, in the same run.
func BenchmarkMQTTBatch(b *testing.B) {
	for _, devices := range []int{1, 512} {
		b.Run(fmt.Sprintf("devices=%d", devices), func(b *testing.B) {
			r := benchMQTTRunner(b)
			msgs := make([]*mqtt.Message, mqttBatch)
			t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			next := 0
			refill := func() {
				for i := range msgs {
					ts := t0.Add(time.Duration(next) * time.Millisecond).Format(time.RFC3339Nano)
					msgs[i] = &mqtt.Message{Topic: fmt.Sprintf("plant/s/dev-%d/telemetry", next%devices), QoS: 1, Received: time.Now(),
						Payload: fmt.Appendf(nil, `{"ts":%q,"v":%.3f}`, ts, 20+float64(next%97)/10)}
					next++
				}
			}
			b.Run("parse", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					refill()
					b.StartTimer()
					r.records(msgs)
				}
				b.ReportMetric(float64(mqttBatch*b.N)/b.Elapsed().Seconds(), "msgs/s")
			})
			b.Run("parse+score+commit", func(b *testing.B) {
				pf, err := newPipelineFactory(r.src)
				if err != nil {
					b.Fatal(err)
				}
				p := r.newPipeline(nil, pf)
				for b.Loop() {
					b.StopTimer()
					refill()
					b.StartTimer()
					if err := r.process(p, pf, msgs); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(mqttBatch*b.N)/b.Elapsed().Seconds(), "msgs/s")
			})
		})
	}
}

func benchMQTTRunner(b *testing.B) *mqttRunner {
	b.Helper()
	a, ob, pm := benchAgent(b)
	b.Cleanup(func() { _ = ob.Close() })
	qos := 1
	in := config.Input{Name: "plant", MQTT: &config.MQTTInput{MQTTConnection: config.MQTTConnection{Brokers: []string{"mqtt://127.0.0.1:1"}}, Queue: 10000,
		Topics:  []config.MQTTTopic{{Filter: "plant/+site/+device/telemetry", QoS: &qos}},
		Payload: config.MQTTPayload{Format: "json", Timestamp: "ts", Fields: []config.MQTTField{{Path: "v"}}}}}
	r, err := a.newMQTTRunner(in, ob, pm)
	if err != nil {
		b.Fatal(err)
	}
	return r
}
