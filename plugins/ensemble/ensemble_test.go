package ensemble_test

import (
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/ensemble"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// TestCombine checks each method's arithmetic on members whose scores are
// known: a scores |x|, b scores |x|/2.
func TestCombine(t *testing.T) {
	warm := []float64{0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10}
	tests := []struct {
		name string
		opts ensemble.Options
		xs   []float64
		want []float64
	}{
		{"mean", ensemble.Options{Method: "mean"}, []float64{0.4, 0, 3, -0.8}, []float64{0.3, 0, 1, 0.6}},
		{"max", ensemble.Options{Method: "max"}, []float64{0.4, 0, 3, -0.8}, []float64{0.4, 0, 1, 0.8}},
		// Ranks are 0 for the first 10 points. Then 0.055 is above 5 of
		// each member's 10 scores; 0.1 is above 9 (0.01 was evicted, 0.055
		// joined) and ties 1; 0 is below all; 1 above all.
		{"rank", ensemble.Options{Method: "rank", RankWindow: 10},
			append(warm, 0.055, 0.1, 0, 1),
			append(make([]float64, 10), 0.5, 0.95, 0, 1)},
		// With a window of 20 nothing is evicted: 0.1 is above 10 of 11
		// (0.01 stays), ties 1.
		{"rank wide", ensemble.Options{Method: "rank", RankWindow: 20},
			append(warm, 0.055, 0.1),
			append(make([]float64, 10), 0.5, 10.5/11)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mustFactory(t, tc.opts, newFake("a", 1), newFake("b", 0.5))
			single := detectortest.ScoreValues(t, mustInstance(t, f, 1), tc.xs)
			batch := make([]float64, len(tc.xs))
			if n, err := mustInstance(t, f, 1).ScoreBatch(values(tc.xs...), batch); n != len(tc.xs) || err != nil {
				t.Fatalf("ScoreBatch = %d, %v", n, err)
			}
			for i, want := range tc.want {
				if math.Abs(single[i]-want) > 1e-12 || batch[i] != single[i] {
					t.Errorf("point %d (%v): Score %v, ScoreBatch %v, want %v", i, tc.xs[i], single[i], batch[i], want)
				}
			}
		})
	}
}

// TestMaxFlagsSpikeAnyMemberSees: three members each watch one feature; a
// spike in one feature is a full alarm under max and diluted under mean.
func TestMaxFlagsSpikeAnyMemberSees(t *testing.T) {
	members := []sdk.Factory{
		&fake{name: "f0", gain: 1, kind: sdk.Streaming},
		&fake{name: "f1", gain: 1, feature: 1, kind: sdk.Streaming},
		&fake{name: "f2", gain: 1, feature: 2, kind: sdk.Streaming},
	}
	quiet, spike := []float64{0.05, 0.05, 0.05}, []float64{0.05, 0.05, 1}
	for _, tc := range []struct {
		method    ensemble.Method
		wantSpike float64
	}{{"max", 1}, {"mean", 1.1 / 3}} {
		t.Run(string(tc.method), func(t *testing.T) {
			d := mustInstance(t, mustFactory(t, ensemble.Options{Method: tc.method}, members...), 3)
			if s := detectortest.MustScore(t, d, quiet); math.Abs(s-0.05) > 1e-12 {
				t.Errorf("quiet point scored %v, want 0.05", s)
			}
			if s := detectortest.MustScore(t, d, spike); math.Abs(s-tc.wantSpike) > 1e-12 {
				t.Errorf("spike in feature 2 scored %v, want %v", s, tc.wantSpike)
			}
		})
	}
}

// TestRankEqualisesScales: member a scores feature 0 on the full [0, 1]
// scale, member b feature 1 squeezed a hundredfold. Under mean a spike
// only b sees barely registers; under rank it counts as much as one only
// a sees.
func TestRankEqualisesScales(t *testing.T) {
	a := &fake{name: "a", gain: 1, kind: sdk.Streaming}
	b := &fake{name: "b", gain: 0.01, feature: 1, kind: sdk.Streaming}
	n0, n1 := detectortest.Noisy(1, 300, 0.3, 0.05), detectortest.Noisy(2, 300, 0.3, 0.05)
	xs := make([][]float64, 300)
	for i := range xs {
		xs[i] = []float64{n0[i], n1[i]}
	}
	const spikeA, spikeB = 250, 280
	xs[spikeA] = []float64{0.9, 0.3}
	xs[spikeB] = []float64{0.3, 0.9}
	scores := func(m ensemble.Method) (float64, float64) {
		d := mustInstance(t, mustFactory(t, ensemble.Options{Method: m}, a, b), 2)
		s := detectortest.ScoreAll(t, d, xs)
		return s[spikeA], s[spikeB]
	}
	meanA, meanB := scores(ensemble.Mean)
	rankA, rankB := scores(ensemble.Rank)
	t.Logf("mean: spike in a %.3f, in b %.3f; rank: in a %.3f, in b %.3f", meanA, meanB, rankA, rankB)
	if meanA-meanB < 0.25 {
		t.Errorf("mean: spike in a %v, in b %v; want b's spike to be swamped by a's scale", meanA, meanB)
	}
	if math.Abs(rankA-rankB) > 0.1 || rankA < 0.7 || rankB < 0.7 {
		t.Errorf("rank: spike in a %v, in b %v; want both above 0.7 and within 0.1", rankA, rankB)
	}
}
