package e2e

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

// mqttSetup starts a broker, a control plane and agent id, with extra
// configuration yml, subscribed to plant/+site/+device/telemetry.
func mqttSetup(t *testing.T, id, yml string) (*testkit.MQTTBroker, *controlPlane, *agentProc) {
	b := testkit.StartMQTTBroker(t, nil)
	cp := newControlPlane(t)
	cp.start()
	a := newAgent(t, agentSpec{id: id, natsURL: cp.natsURL(), extraYML: yml, inputsYML: mqttInputs(b.URL(), "")})
	a.start()
	testkit.WaitFor(t, settle, "agent subscribed", func() bool {
		return b.Subscribed("pynomaly-"+id+"-line", "plant/e2e/pump-1/telemetry")
	})
	return b, cp, a
}

// mqttInputs is an inputs section with one MQTT input "line" on broker
// url, subscribed to plant/+site/+device/telemetry at QoS 1, JSON payloads
// {"ts": …, "v": …}; extra is more of the input's mqtt settings.
func mqttInputs(url, extra string) string {
	return fmt.Sprintf(`inputs:
  - name: line
    mqtt:
      brokers: [%s]
      topics: [{filter: "plant/+site/+device/telemetry", qos: 1}]
      payload:
        timestamp: ts
        fields: [{path: v, name: value}]
%s`, url, extra)
}

// publishRows publishes rows [from, to) of the e2e series (see rows) as
// JSON messages from device pump-1 at site e2e, QoS 1.
func publishRows(b *testkit.MQTTBroker, from, to int) {
	for i := from; i < to; i++ {
		publishRow(b, i, 1)
	}
}

// publishRow publishes row i as publishRows does, at QoS qos.
func publishRow(b *testkit.MQTTBroker, i int, qos byte) {
	v := wave(i)
	if isSpike(i) {
		v += 50
	}
	b.Publish("plant/e2e/pump-1/telemetry", fmt.Appendf(nil, `{"ts": %q, "v": %.4f}`, rowTime(i).Format(time.RFC3339), v), qos)
}

// mqttIDs are the alert ids the spikes of rows [from, to) must raise.
func mqttIDs(agentID string, from, to int) []string {
	series := protocol.SeriesName("value", map[string]string{"site": "e2e", "device": "pump-1", "input": "line"})
	var ids []string
	for i := from; i < to; i++ {
		if isSpike(i) {
			ids = append(ids, protocol.AlertID(agentID, series, "zscore", rowTime(i)))
		}
	}
	slices.Sort(ids)
	return ids
}

// TestMQTTInput: messages from a broker are scored with labels from the
// topic, and each spike raises exactly one alert.
func TestMQTTInput(t *testing.T) {
	b, cp, a := mqttSetup(t, "edge-mqtt", "")
	publishRows(b, 0, 200)
	// Bad messages are counted and skipped; the input carries on.
	b.Publish("plant/e2e/pump-1/telemetry", []byte(`{"ts": "2026-03-01T00:03:20Z", "v": `), 1)
	b.Publish("plant/e2e/pump-1/telemetry", []byte(`{"ts": "2026-03-01T00:03:20Z", "v": "hot"}`), 1)
	b.Publish("plant/e2e/pump-1/telemetry", []byte(`{"ts": "yesterday", "v": 1}`), 1)
	// Over payload.max_bytes (1 MiB): read past, never held whole.
	b.Publish("plant/e2e/pump-1/telemetry", []byte(`{"v": 1, "pad": "`+strings.Repeat("x", 2<<20)+`"}`), 1)
	publishRows(b, 200, 450)
	want := mqttIDs("edge-mqtt", 0, 450)
	testkit.WaitFor(t, settle, "alerts from MQTT", countIs(cp, len(want)))
	checkExactly(t, cp.alerts(), want)
	testkit.WaitFor(t, settle, "454 messages counted", func() bool {
		return a.metric(`pynomaly_agent_input_messages_total{input="line"}`) == 454
	})
	for _, reason := range []string{"malformed", "non_numeric", "bad_timestamp", "oversize"} {
		if n := a.metric(`pynomaly_agent_input_errors_total{input="line",reason="` + reason + `"}`); n != 1 {
			t.Errorf("input_errors_total{reason=%q} = %v, want 1", reason, n)
		}
	}
}

// TestMQTTAgentKilled: an agent SIGKILLed mid-stream and restarted loses
// nothing and duplicates nothing: unacknowledged messages come again from
// the persistent session, and those already scored are recognised.
func TestMQTTAgentKilled(t *testing.T) {
	// The embedded broker resends a session's queued messages in any order
	// within a second of their arrival (it sorts them by arrival second),
	// so two spikes could come closer than the default clear_after apart
	// and make one incident: any normal point ends an incident here.
	b, cp, a := mqttSetup(t, "edge-mqtt-kill", "decision: {clear_after: 1}\n")
	client := "pynomaly-edge-mqtt-kill-line"
	publishRows(b, 0, 350)
	testkit.WaitFor(t, settle, "first alerts", countIs(cp, 1))
	a.kill()
	for from := 350; from < 650; from += 100 { // queued at the broker for the session
		// One spike per arrival second (see above), the messages in flight
		// at the kill included: without a wait before the first batch,
		// spike 300, unacknowledged, could share a second with spike 400.
		time.Sleep(1100 * time.Millisecond)
		publishRows(b, from, from+100)
	}
	a.start()
	want := mqttIDs("edge-mqtt-kill", 0, 650)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("after the restart: messages %v, redelivered %v, records %v; broker inflight %d, dropped %d",
				a.metric("pynomaly_agent_input_messages_total"), a.metric("pynomaly_agent_input_redelivered_total"),
				a.metric("pynomaly_agent_input_records_total"), b.Inflight(client), b.Dropped())
		}
	})
	testkit.WaitFor(t, settle, "all alerts after the restart", countIs(cp, len(want)))
	time.Sleep(time.Second) // any duplicate would arrive now
	checkExactly(t, cp.alerts(), want)
}

// TestLocalAlertTopic: with the control plane unreachable, alerts still
// reach equipment on site through the local MQTT alert topic.
func TestLocalAlertTopic(t *testing.T) {
	b := testkit.StartMQTTBroker(t, nil)
	got := b.Collect("site/alerts")
	cp := newControlPlane(t) // never started: the uplink is down
	csv := filepath.Join(t.TempDir(), "line.csv")
	writeCSV(t, csv, rows(0, 350))
	a := newAgent(t, agentSpec{id: "edge-local", natsURL: cp.natsURL(), csv: csv, extraYML: fmt.Sprintf(`alerts:
  mqtt:
    brokers: [%s]
    topic: site/alerts
`, b.URL())})
	a.start()
	want := expectedIDs("edge-local", 0, 350)
	testkit.WaitFor(t, settle, "alerts on the local topic", func() bool { return len(got()) >= len(want) })
	var ids []string
	for _, p := range got() {
		al, err := protocol.DecodeAlert(p)
		if err != nil {
			t.Fatalf("local alert %q: %v", p, err)
		}
		ids = append(ids, al.ID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, want) {
		t.Errorf("local alerts %v, want %v", ids, want)
	}
	if n := a.metric("pynomaly_agent_alerts_local_published_total"); n != float64(len(want)) {
		t.Errorf("alerts_local_published_total = %v, want %d", n, len(want))
	}
}

// TestMQTTMultivariate: with multivariate: true the fields of a message are
// one sample of one series, named after the input, scored by hst; the
// alert at the control plane carries both values and says the spiked
// field contributed most.
func TestMQTTMultivariate(t *testing.T) {
	b := testkit.StartMQTTBroker(t, nil)
	cp := newControlPlane(t)
	cp.start()
	a := newAgent(t, agentSpec{id: "edge-mv", natsURL: cp.natsURL(), inputsYML: fmt.Sprintf(`inputs:
  - name: line
    multivariate: true
    detector: {type: hst}
    mqtt:
      brokers: [%s]
      topics: [{filter: "plant/+site/+device/telemetry", qos: 1}]
      payload:
        timestamp: ts
        fields: [{path: t, name: temperature}, {path: p, name: pressure}]
`, b.URL())})
	a.start()
	testkit.WaitFor(t, settle, "agent subscribed", func() bool {
		return b.Subscribed("pynomaly-edge-mv-line", "plant/e2e/pump-1/telemetry")
	})
	const spikeAt = 1200
	for i := range 1500 {
		temp, pres := 20+math.Sin(float64(i)*0.7), 5+math.Cos(float64(i)*1.3)
		if i == spikeAt {
			pres += 50
		}
		b.Publish("plant/e2e/pump-1/telemetry",
			fmt.Appendf(nil, `{"ts": %q, "t": %.4f, "p": %.4f}`, rowTime(i).Format(time.RFC3339), temp, pres), 1)
	}
	testkit.WaitFor(t, settle, "1500 messages scored", func() bool {
		return a.metric(`pynomaly_agent_input_records_total{input="line"}`) == 1500
	})
	testkit.WaitFor(t, settle, "the alert at the control plane", countIs(cp, 1))
	al := cp.alerts()[0]
	series := protocol.SeriesName("line", map[string]string{"site": "e2e", "device": "pump-1", "input": "line"})
	if al.Series != series || !al.Timestamp.Equal(rowTime(spikeAt)) || len(al.Values) != 2 || al.Values["pressure"] < 50 {
		t.Errorf("alert %s at %v values %v; want series %s at %v with both values, pressure spiked",
			al.Series, al.Timestamp, al.Values, series, rowTime(spikeAt))
	}
	if c := al.Contributions; len(c) != 2 || c["pressure"] <= c["temperature"] {
		t.Errorf("contributions %v, want pressure's the larger", c)
	}
}
