package kmeans_test

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/kmeans"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// TestFindsShapeChanges fits on 2000 points of a noisy sine, then scores
// on: a spike and a flat line (a stuck value that later resumes) must score
// above 0.99, and nearly all the normal points below. The flat line counts
// as found when a point whose feature vector holds part of it, up to a
// history (9 points) after it ended, scores above 0.99: its middle looks
// like the sine's crest, where the differences are near 0 too.
func TestFindsShapeChanges(t *testing.T) {
	const (
		period  = 40
		spikeAt = 2600
		flatAt  = 3200 // a whole number of periods: the sine at its steepest
		flatLen = 15
		history = 1 + 3 + 5
	)
	vals := sine(1, 4000, period, 10, 0.3)
	vals[spikeAt] += 8
	for i := flatAt; i < flatAt+flatLen; i++ {
		vals[i] = vals[flatAt]
	}
	d := mustFitted(t, mustFactory(t, kmeans.Options{}), vals[:2000])
	scores := detectortest.ScoreValues(t, d, vals[2000:])
	window := func(from, to int) (hi float64) {
		for _, s := range scores[from-2000 : to-2000] {
			hi = max(hi, s)
		}
		return hi
	}
	if s := window(spikeAt, spikeAt+1); s <= 0.99 {
		t.Errorf("spike scored %v, want > 0.99", s)
	}
	if s := window(flatAt, flatAt+flatLen+history); s <= 0.99 {
		t.Errorf("flat line scored at most %v, want > 0.99", s)
	}
	// Points whose feature vector saw neither anomaly.
	var normal, low int
	for i, s := range scores {
		at := 2000 + i
		if (at >= spikeAt && at < spikeAt+history) || (at >= flatAt && at < flatAt+flatLen+history) {
			continue
		}
		normal++
		if s < 0.99 {
			low++
		}
	}
	if share := float64(low) / float64(normal); share < 0.97 {
		t.Errorf("%.2f%% of normal points scored below 0.99, want ≥ 97%%", 100*share)
	} else {
		t.Logf("%.2f%% of normal points below 0.99", 100*share)
	}
}

func TestNotFitted(t *testing.T) {
	d := mustInstance(t, mustFactory(t, kmeans.Options{}))
	if _, err := d.Score([]float64{1}); !errors.Is(err, sdk.ErrNotFitted) {
		t.Errorf("Score before Fit: %v, want ErrNotFitted", err)
	}
	if _, err := d.Score([]float64{math.NaN()}); !errors.Is(err, sdk.ErrInvalidInput) {
		t.Errorf("Score(NaN) before Fit: %v, want ErrInvalidInput", err)
	}
}

// TestFitTooFewRows: defaults keep 1+3+5 = 9 values per vector, so 2·k = 4
// vectors need 12 rows.
func TestFitTooFewRows(t *testing.T) {
	tests := []struct {
		name string
		opts kmeans.Options
		need int
	}{
		{name: "defaults", need: 12},
		{name: "k 5", opts: kmeans.Options{K: 5}, need: 18},
		{name: "no preprocessing, k 1", opts: kmeans.Options{Diff: kmeans.Off, Smooth: 1, Lag: kmeans.Off, K: 1}, need: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vals := sine(2, 100, 10, 1, 0.1)
			f := mustFactory(t, tc.opts)
			d := mustFitted(t, f, vals[:tc.need])
			before := detectortest.MustSnapshot(t, d)
			if err := d.Fit(rows(vals[:tc.need-1])); !errors.Is(err, sdk.ErrInvalidInput) {
				t.Errorf("Fit(%d rows): %v, want ErrInvalidInput", tc.need-1, err)
			}
			if !bytes.Equal(detectortest.MustSnapshot(t, d), before) {
				t.Error("rejected Fit changed the model")
			}
		})
	}
}

func TestFitTooLarge(t *testing.T) {
	vals := sine(3, 100, 10, 1, 0.1)
	vals[50] = math.MaxFloat64
	vals[51] = -math.MaxFloat64
	d := mustInstance(t, mustFactory(t, kmeans.Options{}))
	if err := d.Fit(rows(vals)); !errors.Is(err, sdk.ErrInvalidInput) {
		t.Errorf("Fit(±MaxFloat64): %v, want ErrInvalidInput", err)
	}
}

func TestDeterministic(t *testing.T) {
	vals := sine(4, 3000, 30, 5, 0.5)
	snap := func(seed uint64) []byte {
		return detectortest.MustSnapshot(t, mustFitted(t, mustFactory(t, kmeans.Options{K: 6, Seed: seed}), vals))
	}
	if !bytes.Equal(snap(7), snap(7)) {
		t.Error("two fits with one seed gave different models")
	}
	if bytes.Equal(snap(7), snap(8)) {
		t.Error("fits with seeds 7 and 8 gave the same model; is the seed used?")
	}
}

func TestConstantSeries(t *testing.T) {
	d := mustFitted(t, mustFactory(t, kmeans.Options{}), make([]float64, 100))
	// Every training vector sits on a centre: distance 0, middle rank.
	if s := detectortest.MustScoreValue(t, d, 0); s != 0.5 {
		t.Errorf("Score(0) = %v, want 0.5", s)
	}
	if s := detectortest.MustScoreValue(t, d, 1); s != 1 {
		t.Errorf("Score(1) = %v, want 1", s)
	}
}

func TestScoreDoesNotAllocate(t *testing.T) {
	vals := sine(5, 3000, 30, 5, 0.5)
	d := mustFitted(t, mustFactory(t, kmeans.Options{}), vals[:2000])
	x, i := []float64{0}, 0
	allocs := testing.AllocsPerRun(500, func() {
		x[0], i = vals[2000+i%1000], i+1
		if _, err := d.Score(x); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Score allocates %v times per call, want 0", allocs)
	}
}
