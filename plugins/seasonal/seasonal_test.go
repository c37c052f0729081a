package seasonal_test

import (
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/seasonal"
)

func TestScoreValues(t *testing.T) {
	// Season 2 warmed up on 0, 0, 2, 0: μ1 = 0, μ2 = 1, trend 0.5, seasonal
	// terms ±0.75, level 1.25, so the forecast is 2.5. Differences a = −2, 0
	// give σ² = 1 and a residual σ of √1.5.
	sd := math.Sqrt(1.5)
	tests := []struct {
		name   string
		warmup []float64
		x      float64
		want   float64
	}{
		{name: "on forecast", warmup: []float64{0, 0, 2, 0}, x: 2.5, want: 0},
		{name: "one sigma above", warmup: []float64{0, 0, 2, 0}, x: 2.5 + sd, want: 0.6826894921370859},
		{name: "three sigma below", warmup: []float64{0, 0, 2, 0}, x: 2.5 - 3*sd, want: 0.9973002039367398},
		{name: "exact pattern continues", warmup: []float64{1, 3, 2, 4}, x: 3, want: 0},
		// mad is 0: the scale is the rounding floor, 1e-12·|forecast|.
		{name: "exact pattern last-bit off", warmup: []float64{1, 3, 2, 4}, x: math.Nextafter(3, 4), want: math.Erf(0x1p-51 / 3e-12 / math.Sqrt2)},
		{name: "exact pattern broken", warmup: []float64{1, 3, 2, 4}, x: 3.001, want: 1},
		{name: "residual overflows", warmup: []float64{1e308, 1e308, 1e308, 1e308}, x: -1e308, want: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustInstance(t, mustFactory(t, seasonal.Options{Season: 2}))
			for i, s := range detectortest.ScoreValues(t, d, tc.warmup) {
				if s != 0 {
					t.Fatalf("warm-up point %d scored %v, want 0", i, s)
				}
			}
			if got := detectortest.MustScoreValue(t, d, tc.x); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("Score(%v) = %v, want %v", tc.x, got, tc.want)
			}
		})
	}
}

func TestMatchesReference(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts seasonal.Options
		xs   []float64
	}{
		{"defaults", seasonal.Options{Season: 24}, sine(11, 1000, 24, 10, 1)},
		{"trend", seasonal.Options{Season: 7}, ramp(sine(12, 500, 7, 3, 0.5), 0.1)},
		{"fast, clipped", seasonal.Options{Season: 5, Alpha: 0.5, Beta: 0.3, Gamma: 0.4, MADAlpha: 0.2, Clip: 2}, detectortest.Noisy(13, 500, 3, 2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mustInstance(t, mustFactory(t, tc.opts))
			want := referenceScores(mustFactory(t, tc.opts).Options(), tc.xs)
			for i, x := range tc.xs {
				if got := detectortest.MustScoreValue(t, d, x); math.Abs(got-want[i]) > 1e-9 {
					t.Fatalf("point %d: score %v, reference %v", i, got, want[i])
				}
			}
		})
	}
}

// referenceScores is the specification written plainly: classic
// initialisation from the two seasons' means, then the recursion on x
// clipped to the forecast ± Clip·σ.
func referenceScores(o seasonal.Options, xs []float64) []float64 {
	m := o.Season
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	mu1, mu2 := mean(xs[:m]), mean(xs[m:2*m])
	trend := (mu2 - mu1) / float64(m)
	level := mu2 + trend*float64(m-1)/2
	s := make([]float64, m)
	diffs := make([]float64, m)
	for i := range s {
		s[i] = (xs[i]+xs[m+i])/2 - (mu1+mu2)/2 - trend*(float64(i)-float64(m-1)/2)
		diffs[i] = xs[i] - xs[m+i]
	}
	ss := 0.0
	for _, a := range diffs {
		ss += (a - mean(diffs)) * (a - mean(diffs))
	}
	sigma := math.Sqrt(1.5 * ss / float64(2*(m-1)))
	out := make([]float64, len(xs))
	for t := 2 * m; t < len(xs); t++ {
		f := level + trend + s[t%m]
		r := xs[t] - f
		out[t] = math.Erf(math.Abs(r) / sigma / math.Sqrt2)
		x := max(f-o.Clip*sigma, min(xs[t], f+o.Clip*sigma))
		newLevel := o.Alpha*(x-s[t%m]) + (1-o.Alpha)*(level+trend)
		trend = o.Beta*(newLevel-level) + (1-o.Beta)*trend
		s[t%m] = o.Gamma*(x-newLevel) + (1-o.Gamma)*s[t%m]
		level = newLevel
		sigma = 1.2533 * ((1-o.MADAlpha)*sigma/1.2533 + o.MADAlpha*math.Abs(x-f))
	}
	return out
}

func ramp(xs []float64, slope float64) []float64 {
	for t := range xs {
		xs[t] += slope * float64(t)
	}
	return xs
}
