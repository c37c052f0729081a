package e2e

import (
	"path/filepath"
	"testing"

	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/internal/testkit"
)

// TestEnsembleWithLearnedThreshold: an ensemble detector built from the
// config's members and a SPOT threshold learned per series raise exactly
// the spikes, and the alerts carry the learned threshold.
func TestEnsembleWithLearnedThreshold(t *testing.T) {
	alerts := spikesRaisedBy(t, "edge-ens", "ensemble", 650, `detector:
  type: ensemble
  params: {method: max}
  members:
    - type: zscore
    - type: ewma
decision:
  policy: spot
  params: {init: "50", risk: "1e-4"}
`)
	for _, al := range alerts {
		if !(al.Threshold > 0 && al.Threshold < al.Score) || al.Threshold == 0.999 {
			t.Errorf("alert %s: threshold %v, score %v; want a learned threshold below the score", al.ID, al.Threshold, al.Score)
		}
	}
}

// TestPluginWithParams: a plugin's params from the agent's config reach
// the plugin process, and its detector raises the spikes.
func TestPluginWithParams(t *testing.T) {
	spikesRaisedBy(t, "edge-band", "band", 350, `detector:
  type: range
plugins:
  - name: range
    path: `+buildPlugin(t, "band")+`
    params: {low: "9", high: "11"}
`)
}

// spikesRaisedBy runs an agent with config yml added on rows [0, n) and
// checks that exactly the spikes are stored, raised by detector; it
// returns the alerts.
func spikesRaisedBy(t *testing.T, agentID, detector string, n int, yml string) []store.StoredAlert {
	t.Helper()
	cp := newControlPlane(t)
	cp.start()
	csv := filepath.Join(t.TempDir(), "line.csv")
	writeCSV(t, csv, rows(0, n))
	newAgent(t, agentSpec{id: agentID, natsURL: cp.natsURL(), csv: csv, extraYML: yml}).start()
	want := expectedDetectorIDs(agentID, "line", detector, 0, n)
	testkit.WaitFor(t, settle, "alerts of "+detector, countIs(cp, len(want)))
	alerts := cp.alerts()
	checkExactly(t, alerts, want)
	return alerts
}
