package threshold_test

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/threshold"
)

func TestFixed(t *testing.T) {
	p, err := threshold.NewFixed(0.9)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		score float64
		want  bool
	}{{0, false}, {0.5, false}, {math.Nextafter(0.9, 0), false}, {0.9, true}, {1, true}} {
		if got, err := p.Observe(tc.score); err != nil || got != tc.want {
			t.Errorf("Observe(%v) = %v, %v; want %v", tc.score, got, err, tc.want)
		}
	}
}

func TestQuantileFlagsOneMinusQ(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts threshold.QuantileOptions
	}{
		{"defaults", threshold.QuantileOptions{}},
		{"q=0.99", threshold.QuantileOptions{Q: 0.99, Window: 2000, MinSamples: 500}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := threshold.NewQuantile(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(11, 2))
			scores := make([]float64, 200_000)
			for i := range scores {
				scores[i] = r.Float64()
			}
			calib := tc.opts.MinSamples
			if calib == 0 {
				calib = threshold.DefaultMinSamples
			}
			if n := observeAll(t, p, scores[:calib]); n != 0 {
				t.Fatalf("%d flagged while calibrating, want 0", n)
			}
			q := tc.opts.Q
			if q == 0 {
				q = threshold.DefaultQ
			}
			rest := scores[calib:]
			rate := float64(observeAll(t, p, rest)) / float64(len(rest))
			if want := 1 - q; rate < want/1.3 || rate > want*1.3 {
				t.Errorf("flagged rate %.5f, want %.5f ± 30%%", rate, want)
			}
		})
	}
}

func TestSPOTFalseAlarmRate(t *testing.T) {
	for _, tc := range []struct {
		name       string
		rate, risk float64
	}{
		{"uniform risk=1e-4", 1, 1e-4},
		{"uniform risk=1e-3", 1, 1e-3},
		{"exp2 risk=1e-4", 2, 1e-4},
		{"exp2 risk=1e-3", 2, 1e-3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := threshold.NewSPOT(threshold.SPOTOptions{Risk: tc.risk})
			if err != nil {
				t.Fatal(err)
			}
			scores := expScores(3, 200_000, tc.rate)
			if n := observeAll(t, p, scores[:threshold.DefaultInit]); n != 0 {
				t.Fatalf("%d flagged while calibrating, want 0", n)
			}
			rest := scores[threshold.DefaultInit:]
			empirical := float64(observeAll(t, p, rest)) / float64(len(rest))
			// P(score > z) = (1−z)^rate for these scores.
			exact := math.Pow(1-p.Threshold(), tc.rate)
			t.Logf("z_q %.6f: empirical rate %.2e, exact exceedance %.2e, risk %.0e", p.Threshold(), empirical, exact, tc.risk)
			for what, got := range map[string]float64{"empirical rate": empirical, "exceedance of z_q": exact} {
				if got < tc.risk/2 || got > tc.risk*2 {
					t.Errorf("%s %.2e, want within a factor 2 of risk %.0e", what, got, tc.risk)
				}
			}
		})
	}
}

func TestSPOTFlagsInjectedExtremes(t *testing.T) {
	p := mustParse(t, "spot", nil)
	scores := expScores(5, 50_000, 2) // z_q ≈ 1−√q = 0.99
	observeAll(t, p, scores)
	for _, s := range []float64{0.999, 0.9995, 1} {
		if a, err := p.Observe(s); err != nil || !a {
			t.Errorf("Observe(%v) = %v, %v with threshold %v; want anomalous", s, a, err, p.Threshold())
		}
	}
}

func TestSPOTConstantStream(t *testing.T) {
	for _, name := range []string{"spot", "dspot"} {
		p := mustParse(t, name, map[string]string{"init": "50"})
		scores := make([]float64, 500) // all 0, as a detector warming up emits
		if n := observeAll(t, p, scores); n != 0 {
			t.Errorf("%s flagged %d of a constant stream, want 0", name, n)
		}
		// No peak yet, so z_q is +Inf: the first excursion is learned, not flagged.
		if a, err := p.Observe(0.5); err != nil || a {
			t.Errorf("%s: first excursion Observe(0.5) = %v, %v; want false", name, a, err)
		}
		if a, _ := p.Observe(1); !a {
			t.Errorf("%s: Observe(1) after one peak of 0.5 not flagged (threshold %v)", name, p.Threshold())
		}
	}
}

func TestDSPOTFollowsDrift(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 3))
	// A baseline flat at 0.1 through calibration, rising to 0.8 over 5000
	// scores, then flat again; uniform noise 0..0.05 throughout.
	scores := make([]float64, 30_000)
	for i := range scores {
		base := 0.1 + 0.7*min(1, max(0, float64(i-2000)/5000))
		scores[i] = base + 0.05*r.Float64()
	}
	spot := mustParse(t, "spot", map[string]string{"risk": "1e-3"})
	dspot := mustParse(t, "dspot", map[string]string{"risk": "1e-3", "depth": "20"})
	spotRate := float64(observeAll(t, spot, scores)) / float64(len(scores))
	dspotRate := float64(observeAll(t, dspot, scores)) / float64(len(scores))
	t.Logf("flagged: SPOT %.4f, DSPOT %.5f", spotRate, dspotRate)
	if spotRate < 0.5 {
		t.Errorf("SPOT flagged %.4f of a drifting baseline, want > 0.5 (the case DSPOT is for)", spotRate)
	}
	if dspotRate > 0.005 {
		t.Errorf("DSPOT flagged %.5f of a drifting baseline, want < 0.005", dspotRate)
	}
	if th := dspot.Threshold(); !(th > 0.8 && th < 0.9) {
		t.Errorf("DSPOT threshold %v at the end, want just above the baseline 0.8..0.85", th)
	}
	if a, _ := dspot.Observe(1); !a {
		t.Errorf("DSPOT did not flag 1 over a baseline of 0.8")
	}
}

func TestInvalidScoreLeavesStateUnchanged(t *testing.T) {
	warm := expScores(9, 60, 1)
	for name, mk := range small(t) {
		for _, prefix := range []int{0, 10, 60} {
			for _, s := range []float64{math.NaN(), -0.1, 1.1, math.Inf(1), math.Inf(-1)} {
				p := mk()
				observeAll(t, p, warm[:prefix])
				before := mustSnapshot(t, p)
				if a, err := p.Observe(s); !errors.Is(err, threshold.ErrInvalidScore) || a {
					t.Errorf("%s after %d: Observe(%v) = %v, %v; want false, ErrInvalidScore", name, prefix, s, a, err)
				}
				if !bytes.Equal(mustSnapshot(t, p), before) {
					t.Errorf("%s after %d: Observe(%v) changed the state", name, prefix, s)
				}
			}
		}
	}
}

func TestObserveDoesNotAllocate(t *testing.T) {
	for _, name := range []string{"fixed", "quantile", "spot", "dspot"} {
		p := small(t)[name]()
		scores := expScores(1, 4096, 1)
		observeAll(t, p, scores)
		i := 0
		allocs := testing.AllocsPerRun(1000, func() {
			if _, err := p.Observe(scores[i%len(scores)]); err != nil {
				t.Fatal(err)
			}
			i++
		})
		if allocs != 0 {
			t.Errorf("%s: Observe allocates %v times per call, want 0", name, allocs)
		}
	}
}
