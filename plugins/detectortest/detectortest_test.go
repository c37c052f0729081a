package detectortest_test

import (
	"slices"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
)

func TestAUC(t *testing.T) {
	cases := []struct {
		name    string
		scores  []float64
		outlier []bool
		want    float64
	}{
		{"perfect", []float64{0.1, 0.2, 0.8, 0.9}, []bool{false, false, true, true}, 1},
		{"reversed", []float64{0.9, 0.8, 0.2, 0.1}, []bool{false, false, true, true}, 0},
		{"all tied", []float64{0.5, 0.5, 0.5, 0.5}, []bool{false, true, false, true}, 0.5},
		{"one swap", []float64{0.1, 0.3, 0.2, 0.9}, []bool{false, false, true, true}, 0.75},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := detectortest.AUC(tc.scores, tc.outlier); got != tc.want {
				t.Errorf("AUC = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLabelled(t *testing.T) {
	xs, outlier := detectortest.Labelled(7, 500, 3, 0.1, 1, 5)
	again, _ := detectortest.Labelled(7, 500, 3, 0.1, 1, 5)
	if len(xs) != 500 || len(outlier) != 500 || len(xs[0]) != 3 {
		t.Fatalf("got %d rows of %d and %d labels, want 500 of 3", len(xs), len(xs[0]), len(outlier))
	}
	for i := range xs {
		if !slices.Equal(xs[i], again[i]) {
			t.Fatalf("row %d differs between two draws with one seed", i)
		}
	}
	if n := len(slices.DeleteFunc(slices.Clone(outlier), func(b bool) bool { return !b })); n < 25 || n > 75 {
		t.Errorf("%d outliers in 500 at frac 0.1", n)
	}
}
