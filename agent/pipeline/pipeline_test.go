package pipeline_test

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/protocol"
)

func TestAlertsAtSpikes(t *testing.T) {
	burst := make([]spike, 50)
	for i := range burst {
		burst[i] = spike{100 + i, 0}
	}
	tests := []struct {
		name   string
		spikes []spike
		want   []spike // the alerts, in row order
	}{
		{name: "isolated spikes", spikes: []spike{{40, 0}, {90, 1}, {150, 0}, {260, 1}, {299, 0}},
			want: []spike{{40, 0}, {90, 1}, {150, 0}, {260, 1}, {299, 0}}},
		{name: "both fields in one row", spikes: []spike{{60, 0}, {60, 1}}, want: []spike{{60, 0}, {60, 1}}},
		{name: "50-point burst is one alert", spikes: burst, want: []spike{{100, 0}}},
		{name: "spikes within clear_after are one incident", spikes: []spike{{100, 0}, {105, 0}, {200, 0}},
			want: []spike{{100, 0}, {200, 0}}},
		{name: "spike during warm-up is learned, not raised", spikes: []spike{{5, 0}, {100, 0}}, want: []spike{{100, 0}}},
		{name: "no spikes", want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := process(t, newPipeline(t, 128, nil, nil), records(300, tc.spikes...))
			var got, want []string
			for _, e := range res.Entries {
				got = append(got, e.ID)
			}
			// Entries come series by series, each in row order.
			byField := slices.Clone(tc.want)
			slices.SortStableFunc(byField, func(a, b spike) int { return a.field - b.field })
			for _, s := range byField {
				want = append(want, alertID(s))
			}
			if !slices.Equal(got, want) {
				t.Errorf("alert ids:\n got %q\nwant %q", got, want)
			}
			if len(res.States) != len(fields) {
				t.Errorf("Result.States has %d keys, want one per series", len(res.States))
			}
		})
	}
}

func TestAlertPayload(t *testing.T) {
	res := process(t, newPipeline(t, 64, nil, nil), records(100, spike{70, 1}))
	if len(res.Entries) != 1 {
		t.Fatalf("%d alerts, want 1", len(res.Entries))
	}
	a, err := protocol.DecodeAlert(res.Entries[0].Payload)
	if err != nil {
		t.Fatalf("DecodeAlert: %v", err)
	}
	series := `pressure{site="a"}`
	checks := []struct{ name, got, want string }{
		{"id", a.ID, res.Entries[0].ID},
		{"agent", a.AgentID, agentID},
		{"series", a.Series, series},
		{"metric", a.Metric, "pressure"},
		{"labels", fmt.Sprint(a.Labels), "map[site:a]"},
		{"timestamp", a.Timestamp.String(), t0.Add(70e9).String()},
		{"value", fmt.Sprint(a.Values), fmt.Sprint(map[string]float64{"pressure": records(100, spike{70, 1})[70].Values[1]})},
		{"severity/detector", a.Severity + "/" + a.Detector, "warning/zscore"},
		{"threshold", fmt.Sprint(a.Threshold), "0.999"},
		{"detected at", a.DetectedAt.String(), t0.Add(3600e9).String()},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
	if a.Score < 0.999 || a.Score > 1 {
		t.Errorf("score = %v, want in [0.999, 1]", a.Score)
	}
}

// TestReplayAnyBoundary is the crash-replay property: however a stream is
// cut into batches, with the state committed after each and restored by a
// new pipeline, the alerts (ids and payloads) and the final states are the
// same as in one batch.
func TestReplayAnyBoundary(t *testing.T) {
	burst := []spike{{120, 0}, {121, 0}, {122, 0}, {123, 0}, {124, 0}, {125, 0}}
	recs := records(200, append(burst, spike{30, 1}, spike{60, 0}, spike{64, 0}, spike{80, 1}, spike{160, 0}, spike{199, 1})...)
	want, wantStates := runInBatches(t, recs)
	if len(want) < 6 {
		t.Fatalf("only %d alerts in one batch; the test needs more", len(want))
	}
	check := func(name string, cuts ...int) {
		got, gotStates := runInBatches(t, recs, cuts...)
		if !slices.Equal(got, want) {
			t.Errorf("%s: alerts differ from one batch:\n got %d: %s\nwant %d: %s", name, len(got), quoteAll(got), len(want), quoteAll(want))
		}
		if !equalStates(gotStates, wantStates) {
			t.Errorf("%s: final states differ from one batch", name)
		}
	}
	for k := 1; k < len(recs); k++ {
		check(fmt.Sprintf("cut at %d", k), k)
	}
	for _, size := range []int{1, 7, 64} {
		var cuts []int
		for c := size; c < len(recs); c += size {
			cuts = append(cuts, c)
		}
		check(fmt.Sprintf("batches of %d", size), cuts...)
	}
}

func TestUnreadableStateRelearns(t *testing.T) {
	// A valid state learned at another level: restoring its detector part
	// would make the first points anomalous instead of warming up.
	shifted := records(100)
	for _, r := range shifted {
		r.Values[0] += 1000
	}
	key := `in/temperature{site="a"}`
	valid := process(t, newPipeline(t, 64, nil, nil), shifted).States[key]
	tests := []struct {
		name  string
		state []byte
	}{
		{"not a state", []byte("garbage")},
		{"unknown version", append([]byte{99}, valid[1:]...)},
		{"truncated", valid[:len(valid)/2]},
		{"bad detector state", append(valid[:3:3], append([]byte("XXX"), valid[6:]...)...)},
		{"bad decision state", valid[:len(valid)-1]},
		{"detector options changed", process(t, newPipeline(t, 32, nil, nil), shifted).States[key]},
	}
	recs := records(100, spike{20, 0}, spike{70, 0})
	fresh, _ := runInBatches(t, recs)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs strings.Builder
			p := newPipeline(t, 64, states{key: tc.state}.load, slog.New(slog.NewTextHandler(&logs, nil)))
			res := process(t, p, recs)
			var got []string
			for _, e := range res.Entries {
				got = append(got, e.ID+" "+string(e.Payload))
			}
			if !slices.Equal(got, fresh) {
				t.Errorf("alerts after discarding the state:\n got %s\nwant %s (as from scratch)", quoteAll(got), quoteAll(fresh))
			}
			if !strings.Contains(logs.String(), "discarding unreadable series state") {
				t.Errorf("nothing logged about the discarded state; log:\n%s", logs.String())
			}
		})
	}
}

func TestLoadStateError(t *testing.T) {
	boom := errors.New("disk on fire")
	p := newPipeline(t, 64, func(string) ([]byte, error) { return nil, boom }, nil)
	if _, err := p.Process(records(3)); !errors.Is(err, boom) || !strings.Contains(err.Error(), "load state") {
		t.Fatalf("Process = %v, want the load error wrapped", err)
	}
}
