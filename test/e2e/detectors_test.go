package e2e

import (
	"path/filepath"
	"testing"

	"github.com/pynomaly/pynomaly/internal/testkit"
)

// TestEnsembleWithLearnedThreshold: an ensemble detector built from the
// config's members and a SPOT threshold learned per series raise exactly
// the spikes, and the alerts carry the learned threshold.
func TestEnsembleWithLearnedThreshold(t *testing.T) {
	cp := newControlPlane(t)
	cp.start()
	csv := filepath.Join(t.TempDir(), "line.csv")
	writeCSV(t, csv, rows(0, 650))
	a := newAgent(t, agentSpec{id: "edge-ens", natsURL: cp.natsURL(), csv: csv, extraYML: `detector:
  type: ensemble
  params: {method: max}
  members:
    - type: zscore
    - type: ewma
decision:
  policy: spot
  params: {init: "50", risk: "1e-4"}
`})
	a.start()
	want := expectedDetectorIDs("edge-ens", "line", "ensemble", 0, 650)
	testkit.WaitFor(t, settle, "alerts of the ensemble", countIs(cp, len(want)))
	alerts := cp.alerts()
	checkExactly(t, alerts, want)
	for _, al := range alerts {
		if al.Detector != "ensemble" || !(al.Threshold > 0 && al.Threshold < al.Score) || al.Threshold == 0.999 {
			t.Errorf("alert %s: detector %s, threshold %v, score %v; want ensemble and a learned threshold below the score", al.ID, al.Detector, al.Threshold, al.Score)
		}
	}
}
