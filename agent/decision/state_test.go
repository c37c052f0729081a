package decision_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/decision"
)

// pattern turns "A..A" into scores: 'A' anomalous (1), '.' normal (0).
func pattern(p string) []float64 {
	out := make([]float64, len(p))
	for i, c := range p {
		if c == 'A' {
			out[i] = 1
		}
	}
	return out
}

// raises feeds scores to s and returns the indices that raised an alert.
func raises(s *decision.State, scores []float64, o decision.Options) []int {
	var out []int
	for i, v := range scores {
		if s.Observe(v, o) {
			out = append(out, i)
		}
	}
	return out
}

var observeCases = []struct {
	name   string
	opts   decision.Options
	scores []float64
	want   []int
}{
	{name: "all normal", scores: pattern(".........."), want: nil},
	{name: "single spike", scores: pattern("...A..."), want: []int{3}},
	{name: "burst of 50 is one alert", scores: pattern(strings.Repeat("A", 50)), want: []int{0}},
	{name: "bursts ClearAfter apart are two alerts", scores: pattern("AAA" + strings.Repeat(".", 10) + "AA"), want: []int{0, 13}},
	{name: "bursts closer are one alert", scores: pattern("AAA" + strings.Repeat(".", 9) + "AA"), want: []int{0}},
	{name: "flapping incident stays one alert", opts: decision.Options{ClearAfter: 5}, scores: pattern("A....A....A....A....."), want: []int{0}},
	{name: "flapping then quiet then new incident", opts: decision.Options{ClearAfter: 5}, scores: pattern("A....A.....A"), want: []int{0, 11}},
	{name: "consecutive 3 raises on third", opts: decision.Options{Consecutive: 3}, scores: pattern("AA.AAAAA"), want: []int{5}},
	{name: "interrupted runs never raise", opts: decision.Options{Consecutive: 3}, scores: pattern("AA.AA.AA."), want: nil},
	{name: "consecutive and clear_after 1", opts: decision.Options{Consecutive: 1, ClearAfter: 1}, scores: pattern("AA.A.AA"), want: []int{0, 3, 5}},
	{name: "score equal to threshold is anomalous", opts: decision.Options{Threshold: 0.9}, scores: []float64{0.89, 0.9}, want: []int{1}},
	{name: "default threshold", scores: []float64{0.998, 0.9989999, 0.999}, want: []int{2}},
	{name: "NaN is normal", opts: decision.Options{ClearAfter: 2}, scores: []float64{1, math.NaN(), math.NaN(), 1, math.NaN()}, want: []int{0, 3}},
}

func TestObserve(t *testing.T) {
	for _, tc := range observeCases {
		t.Run(tc.name, func(t *testing.T) {
			var s decision.State
			if got := raises(&s, tc.scores, tc.opts); !slices.Equal(got, tc.want) {
				t.Errorf("raised at %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFiring(t *testing.T) {
	o := decision.Options{ClearAfter: 2}
	var s decision.State
	for i, step := range []struct {
		score  float64
		firing bool
	}{{0, false}, {1, true}, {0, true}, {1, true}, {0, true}, {0, false}} {
		s.Observe(step.score, o)
		if s.Firing() != step.firing {
			t.Fatalf("after point %d: Firing() = %v, want %v", i, s.Firing(), step.firing)
		}
	}
}
