package api

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

// TestAgentJSONMatchesEncodingJSON holds the hand-written encoder to
// encoding/json's output, byte for byte, over agents with every field
// set, empty or odd.
func TestAgentJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "gw-17", `quote"d`, "tab\there", "<b>&", "ünï", "\x00", "a\\b", "line\u2028sep"}
	floats := []float64{0, 1, -1, 0.5, 1e-7, 1e-6, 123456789.125, 1e21, 1e20, -3.25e-9, math.MaxFloat64, math.SmallestNonzeroFloat64}
	times := []time.Time{{}, time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC), time.Date(2026, 11, 27, 8, 0, 0, 123456789, time.UTC),
		time.Date(1999, 1, 2, 3, 4, 5, 6000, time.FixedZone("x", 3600)), time.Unix(0, math.MinInt64).UTC()}
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	for i := range 2000 {
		r := store.AgentRecord{
			ID: pick(strs), Hostname: pick(strs), Version: pick(strs),
			LastHeartbeat: times[rng.IntN(len(times))], AgentClock: times[rng.IntN(len(times))], StartedAt: times[rng.IntN(len(times))],
			IntervalSeconds: floats[rng.IntN(len(floats))], OutboxDepth: rng.Int64N(1 << 40), OutboxOldestSeconds: floats[rng.IntN(len(floats))],
			EnrolledAt: times[rng.IntN(len(times))], Policy: pick(strs),
		}
		if rng.IntN(2) == 0 {
			r.Inputs = []protocol.ComponentHealth{{Name: pick(strs), Status: "ok", Error: pick(strs)}}
			r.Detectors = []protocol.ComponentHealth{{Name: "zscore", Status: "degraded"}}
			r.Outbox = &protocol.ComponentHealth{Name: "outbox", Status: "ok"}
			r.Config = &protocol.AppliedConfig{Hash: pick(strs), Status: protocol.ConfigApplied, AppliedAt: times[1]}
		}
		switch rng.IntN(3) {
		case 0:
			r.Labels = map[string]string{}
		case 1:
			r.Labels = map[string]string{pick(strs): pick(strs), "site": "plant-a", "z": ""}
		}
		a := Agent{AgentRecord: r, Status: pick([]string{StatusOnline, StatusPending}), ClockSkewSeconds: floats[rng.IntN(len(floats))], ClockSkewed: rng.IntN(2) == 0}
		want, werr := json.Marshal(a)
		got, err := appendAgentJSON(nil, a)
		if (werr == nil) != (err == nil) {
			t.Fatalf("case %d: encoding/json err %v, ours %v", i, werr, err)
		}
		if string(got) != string(want) {
			t.Fatalf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
	if _, err := appendAgentJSON(nil, Agent{AgentRecord: store.AgentRecord{IntervalSeconds: math.NaN()}}); err == nil {
		t.Error("NaN encoded")
	}
}
