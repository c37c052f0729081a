package threshold

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPeakCap checks that a SPOT policy keeps at most maxPeaks peaks and,
// once it evicts, measures the peak rate over the span they cover: the
// threshold stays where an uncapped policy puts it.
func TestPeakCap(t *testing.T) {
	o, err := SPOTOptions{Risk: 1e-3}.validated()
	if err != nil {
		t.Fatal(err)
	}
	capped, uncapped := newSPOT(o, 500), newSPOT(o, 1<<20)
	r := rand.New(rand.NewPCG(1, 1))
	for range 200_000 {
		s := r.Float64()
		if _, err := capped.Observe(s); err != nil {
			t.Fatal(err)
		}
		uncapped.Observe(s)
	}
	if len(capped.peaks) != 500 || capped.base == 0 {
		t.Fatalf("capped policy holds %d peaks, base %d; want 500 and a base > 0", len(capped.peaks), capped.base)
	}
	// Both estimate the same tail, from 500 and ~4000 peaks.
	a, b := 1-capped.Threshold(), 1-uncapped.Threshold()
	t.Logf("exceedance: capped %.2e, uncapped %.2e (%d peaks)", a, b, len(uncapped.peaks))
	if math.Abs(math.Log(a/b)) > math.Log(1.5) {
		t.Errorf("capped threshold exceedance %.2e, uncapped %.2e; want within 1.5×", a, b)
	}
}
