package ecdf_test

import (
	"math"
	"slices"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/internal/ecdf"
)

func TestAt(t *testing.T) {
	cases := []struct {
		name   string
		sample []float64
		v      float64
		want   float64
	}{
		{"below lowest", []float64{1, 2, 3}, 0, 0},
		{"at lowest", []float64{1, 2, 3}, 1, 0},
		{"at middle", []float64{1, 2, 3}, 2, 0.5},
		{"at highest", []float64{1, 2, 3}, 3, 1},
		{"above highest", []float64{1, 2, 3}, 4, 1},
		{"between, interpolated", []float64{1, 2, 3}, 2.5, 0.75},
		{"all equal, middle rank", []float64{5, 5, 5, 5, 5}, 5, 0.5},
		{"run of equals, middle rank", []float64{0, 1, 1, 1, 2}, 1, 0.5},
		{"NaN", []float64{1, 2, 3}, math.NaN(), 1},
		{"unsorted input", []float64{3, 1, 2}, 2, 0.5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ecdf.New(slices.Clone(tc.sample)).At(tc.v); math.Abs(got-tc.want) > 1e-15 {
				t.Errorf("At(%v) over %v = %v, want %v", tc.v, tc.sample, got, tc.want)
			}
		})
	}
}

func TestNewSubsamplesEvenly(t *testing.T) {
	for _, n := range []int{2, ecdf.MaxSample, ecdf.MaxSample + 1, 10 * ecdf.MaxSample} {
		raw := make([]float64, n)
		for i := range raw {
			raw[i] = float64(n - 1 - i) // descending, so New must sort
		}
		c := ecdf.New(raw)
		if want := min(n, ecdf.MaxSample); len(c) != want {
			t.Fatalf("n=%d: %d values kept, want %d", n, len(c), want)
		}
		if !slices.IsSorted(c) || c[0] != 0 || c[len(c)-1] != float64(n-1) {
			t.Errorf("n=%d: kept %v..%v (sorted %v), want 0..%d sorted", n, c[0], c[len(c)-1], slices.IsSorted(c), n-1)
		}
	}
}
