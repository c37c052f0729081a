package band_test

import (
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/examples/band/band"
	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
)

func TestConformance(t *testing.T) {
	f, err := band.New(map[string]string{"low": "-1", "high": "1"})
	if err != nil {
		t.Fatal(err)
	}
	sdktest.Run(t, f, sdktest.Options{})
}

func TestScores(t *testing.T) {
	f, err := band.New(map[string]string{"low": "10", "high": "20"})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := f.New(1)
	for _, tc := range []struct{ v, min, max float64 }{
		{10, 0, 0}, {15, 0, 0}, {20, 0, 0},
		{20.001, 0.999, 0.9990001}, {9.999, 0.999, 0.9990001},
		{30, 0.99963, 0.99964}, {1e300, 0.999999, 1},
	} {
		if s, err := d.Score([]float64{tc.v}); err != nil || s < tc.min || s > tc.max {
			t.Errorf("Score(%v) = %v, %v; want in [%v, %v]", tc.v, s, err, tc.min, tc.max)
		}
	}
}

func TestBadParams(t *testing.T) {
	for _, tc := range []struct {
		params map[string]string
		want   string
	}{
		{nil, "params low and high are required"},
		{map[string]string{"low": "1"}, "params low and high are required"},
		{map[string]string{"low": "1", "high": "1"}, "low 1 must be below high 1"},
		{map[string]string{"low": "1", "high": "x"}, `param high="x": want a finite number`},
		{map[string]string{"low": "NaN", "high": "2"}, `param low="NaN": want a finite number`},
		{map[string]string{"low": "1", "high": "2", "hihg": "3"}, `unknown param "hihg" (known: high, low)`},
	} {
		if _, err := band.New(tc.params); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%v) = %v, want an error containing %q", tc.params, err, tc.want)
		}
	}
}
