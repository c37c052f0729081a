package surprise_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/surprise"
)

// squareWave: levels 10 and 20 alternating every 14 points, with a little
// noise; from `at`, 40 points stay half way, at 15 to 16.
func squareWave(n, at int) []float64 {
	xs := detectortest.Noisy(7, n, 0, 0.3)
	for i := range xs {
		xs[i] += 10
		if i/14%2 == 1 {
			xs[i] += 10
		}
		if i >= at && i < at+40 {
			xs[i] = 15 + xs[i] - float64(int(xs[i]))
		}
	}
	return xs
}

// TestNoveltyChannel: a square wave that stops half way, inside its range
// and without a jump larger than its usual ones, is a shape the novelty
// channel has not seen: it scores 1. Without the channel nothing scores,
// and before the anomaly neither raises a score near the alert threshold.
func TestNoveltyChannel(t *testing.T) {
	xs := squareWave(1800, 1400)
	for _, tc := range []struct {
		opts surprise.Options
		want float64
	}{{surprise.Options{}, 1}, {surprise.Options{Novelty: surprise.NoNovelty}, 0}} {
		s := detectortest.ScoreValues(t, mustInstance(t, mustFactory(t, tc.opts)), xs)
		if top := maxOf(s[1400:1440]); top != tc.want {
			t.Errorf("novelty %d: the stop scored at most %v, want %v", tc.opts.Novelty, top, tc.want)
		}
		if before := maxOf(s[:1400]); before >= 0.4 {
			t.Errorf("novelty %d: the wave before the stop scored %v, want below 0.4", tc.opts.Novelty, before)
		}
	}
}

func maxOf(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// TestNoveltyLearnsFirst: the channel scores nothing before it has seen
// `novelty` values, however new they look.
func TestNoveltyLearnsFirst(t *testing.T) {
	xs := squareWave(1800, 900)
	s := detectortest.ScoreValues(t, mustInstance(t, mustFactory(t, surprise.Options{Novelty: 1000})), xs)
	if top := maxOf(s[900:940]); top >= 0.4 {
		t.Errorf("the stop inside a 1,000-value learning period scored %v, want below 0.4", top)
	}
}
