package pipeline_test

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/threshold"
	"github.com/pynomaly/pynomaly/protocol"
)

func spot(t testing.TB, risk string) func() (threshold.Policy, error) {
	t.Helper()
	params := map[string]string{"risk": risk, "init": "100"}
	if _, err := threshold.Parse("spot", params); err != nil {
		t.Fatal(err)
	}
	return func() (threshold.Policy, error) { return threshold.Parse("spot", params) }
}

// TestLearnedPolicy: with SPOT the series learns its own threshold from
// the normal scores, flags the spikes, and reports the threshold it used.
func TestLearnedPolicy(t *testing.T) {
	spikes := []spike{{700, 0}, {900, 1}}
	res := process(t, newPipelineWith(t, 128, nil, nil, spot(t, "1e-4")), records(1000, spikes...))
	var got []string
	for _, e := range res.Entries {
		a, err := protocol.DecodeAlert(e.Payload)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, a.ID)
		if !(a.Threshold > 0 && a.Threshold < a.Score) || a.Threshold == 0.999 {
			t.Errorf("alert %s: threshold %v, want a learned one below the score %v", a.ID, a.Threshold, a.Score)
		}
	}
	want := []string{alertID(spikes[0]), alertID(spikes[1])}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("alerts %v, want %v", got, want)
	}
}

// TestLearnedPolicyReplay: the policy's state is committed with the
// detector's, so cutting the stream anywhere changes nothing.
func TestLearnedPolicyReplay(t *testing.T) {
	recs := records(400, spike{250, 0}, spike{300, 1}, spike{301, 1}, spike{390, 0})
	pol := spot(t, "1e-3")
	want, wantStates := runInBatchesWith(t, pol, recs)
	if len(want) < 3 {
		t.Fatalf("only %d alerts in one batch; the test needs more", len(want))
	}
	for _, cuts := range [][]int{{1}, {50}, {99, 100, 101}, {150, 251}, {300}, {399}} {
		got, gotStates := runInBatchesWith(t, pol, recs, cuts...)
		if !slices.Equal(got, want) {
			t.Errorf("cuts %v: alerts differ from one batch:\n got %s\nwant %s", cuts, quoteAll(got), quoteAll(want))
		}
		if !equalStates(gotStates, wantStates) {
			t.Errorf("cuts %v: final states differ from one batch", cuts)
		}
	}
}

// TestPolicyChangeKeepsDetector: a state saved under another policy (or
// other params) keeps the detector's model and relearns the threshold.
func TestPolicyChangeKeepsDetector(t *testing.T) {
	key := `in/temperature{site="a"}`
	warm := process(t, newPipelineWith(t, 64, nil, nil, spot(t, "1e-3")), records(300)).States[key]
	for _, tc := range []struct {
		name   string
		policy func() (threshold.Policy, error)
	}{
		{"spot to fixed", nil},
		{"other risk", spot(t, "1e-2")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs strings.Builder
			p := newPipelineWith(t, 64, states{key: warm}.load, slog.New(slog.NewTextHandler(&logs, nil)), tc.policy)
			// A fresh zscore warms up for 16 points; a kept one flags a
			// spike at once. Under SPOT the spike is the first score the
			// new policy sees, so only the fixed policy can flag it.
			res := process(t, p, records(10, spike{3, 0}))
			if tc.policy == nil && (len(res.Entries) != 1 || res.Entries[0].ID != alertID(spike{3, 0})) {
				t.Errorf("%d alerts; want the one at row 3, from the kept detector", len(res.Entries))
			}
			if !strings.Contains(logs.String(), "threshold policy changed") || strings.Contains(logs.String(), "discarding") {
				t.Errorf("log does not say the policy alone was relearned:\n%s", logs.String())
			}
		})
	}
}

func ExampleOptions_newPolicy() {
	// A config's decision section {policy: dspot, params: {depth: "50"}}
	// becomes, per series:
	newPolicy := func() (threshold.Policy, error) {
		return threshold.Parse("dspot", map[string]string{"depth": "50"})
	}
	p, err := newPolicy()
	fmt.Println(p.Threshold(), err)
	// Output: NaN <nil>
}
