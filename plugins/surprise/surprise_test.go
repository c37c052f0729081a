package surprise_test

import (
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/surprise"
)

func TestLearningScoresZero(t *testing.T) {
	xs := detectortest.Noisy(1, 200, 100, 5)
	xs[60] = 1000
	scores := detectortest.ScoreValues(t, mustInstance(t, mustFactory(t, surprise.Options{Learn: 100})), xs)
	for i, s := range scores[:99] {
		if s != 0 {
			t.Fatalf("point %d scored %v while learning, want 0", i, s)
		}
	}
}

// TestRangeChannel: the first value far beyond everything seen scores 1;
// the next one back in range does not, nor does the same extreme again.
func TestRangeChannel(t *testing.T) {
	xs := detectortest.Noisy(1, 3000, 100, 5)
	xs[1500], xs[2500] = 150, 150
	scores := detectortest.ScoreValues(t, mustInstance(t, mustFactory(t, surprise.Options{})), xs)
	if scores[1500] != 1 {
		t.Errorf("first spike scored %v, want 1", scores[1500])
	}
	if scores[1501] >= 1 || scores[2500] >= 1 {
		t.Errorf("after the spike %v, the same spike again %v; want both below 1", scores[1501], scores[2500])
	}
	// Early on, noise still sets new records; by 1,000 points it has
	// shown its range.
	for i, s := range scores[1000:1500] {
		if s >= 0.9 {
			t.Errorf("noise point %d scored %v, want below 0.9", 1000+i, s)
		}
	}
}

// TestRangeForgets: the range channel remembers about History values, so
// an extreme repeated after that is news again, and one repeated within it
// is not.
func TestRangeForgets(t *testing.T) {
	xs := detectortest.Noisy(3, 3000, 100, 5)
	xs[400], xs[2000], xs[2300] = 150, 150, 150
	scores := detectortest.ScoreValues(t, mustInstance(t, mustFactory(t, surprise.Options{History: 1000})), xs)
	if scores[400] != 1 || scores[2000] != 1 || scores[2300] == 1 {
		t.Errorf("spikes at 400, 2000 (past the memory) and 2300 (within it) scored %v, %v, %v; want 1, 1, below 1",
			scores[400], scores[2000], scores[2300])
	}
}

// TestSeasonalBreak: a daily peak that does not come (the value stays
// where it was for 100 points, within the series' range) is a surprise
// once the seasonal model runs (past 2,017 points), and not before: to the
// naive forecasts a flat stretch is the least surprising thing there is.
func TestSeasonalBreak(t *testing.T) {
	for _, tc := range []struct {
		at      int
		atLeast bool
	}{{at: 1500}, {at: 2600, atLeast: true}} {
		xs := daily(3200, 288)
		for i := tc.at; i < tc.at+100; i++ {
			xs[i] = xs[tc.at]
		}
		scores := detectortest.ScoreValues(t, mustInstance(t, mustFactory(t, surprise.Options{})), xs)
		top := 0.0
		for _, s := range scores[tc.at : tc.at+100] {
			top = max(top, s)
		}
		if (top >= 0.5) != tc.atLeast {
			t.Errorf("break at %d: highest score %v, want >= 0.5: %v", tc.at, top, tc.atLeast)
		}
	}
}

// TestOneIncidentFewPeaks: a stretch of a noisy series four times as
// noisy raises fewer peaks with the default refractory period than with
// none to speak of, and fewer still with the peak stage on, under which a
// score within 30 points of an earlier one is higher than it or 0.
func TestOneIncidentFewPeaks(t *testing.T) {
	xs := detectortest.Noisy(2, 3000, 100, 5)
	for i := 2000; i < 2300; i++ {
		xs[i] = 100 + 4*(xs[i]-100)
	}
	scores := func(o surprise.Options) []float64 {
		return detectortest.ScoreValues(t, mustInstance(t, mustFactory(t, o)), xs)[2000:2600]
	}
	one := peaks(scores(surprise.Options{Refractory: 1, Peak: surprise.NoPeak}), 0.5)
	refr := peaks(scores(surprise.Options{Peak: surprise.NoPeak}), 0.5)
	peaked := scores(surprise.Options{})
	if refr >= one || peaks(peaked, 0.5) > refr || refr == 0 {
		t.Errorf("peaks in the incident: %d with refractory 1, %d with the default, %d with the peak stage too; want fewer each time, and some",
			one, refr, peaks(peaked, 0.5))
	}
	for i, s := range peaked {
		for j := max(0, i-surprise.DefaultPeak); j < i && s > 0; j++ {
			if peaked[j] >= s {
				t.Fatalf("point %d kept %v, %d points after %v", 2000+i, s, i-j, peaked[j])
			}
		}
	}
}

// TestFlatSeriesStaysFinite: a constant series well into the seasonal
// model, then a step and extremes, scores in [0, 1], and its state still
// restores (TestCovarianceBounded covers the long run).
func TestFlatSeriesStaysFinite(t *testing.T) {
	f := mustFactory(t, surprise.Options{})
	d := mustInstance(t, f)
	xs := make([]float64, 5000)
	for i := range xs {
		xs[i] = 42
	}
	detectortest.ScoreValues(t, d, xs)
	for _, x := range []float64{43, 42, -math.MaxFloat64, math.MaxFloat64, 1e-300} {
		if s := detectortest.MustScoreValue(t, d, x); !(s >= 0 && s <= 1) {
			t.Fatalf("Score(%v) = %v", x, s)
		}
	}
	if err := mustInstance(t, f).UnmarshalBinary(detectortest.MustSnapshot(t, d)); err != nil {
		t.Fatalf("restore after a flat series: %v", err)
	}
}

// TestSubnormalRange: a series whose range is a few subnormals wide, so
// that a fraction of it rounds to 0, still scores numbers in [0, 1]
// (it once scored NaN from the 21st point on, for good).
func TestSubnormalRange(t *testing.T) {
	base := []float64{0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 2, 1, 2, 1, 1}
	xs := make([]float64, 3000)
	for i := range xs {
		xs[i] = base[i%len(base)] * 5e-324
	}
	for _, o := range []surprise.Options{{}, {Novelty: surprise.NoNovelty}} {
		d := mustInstance(t, mustFactory(t, o))
		for i, x := range xs {
			if s := detectortest.MustScoreValue(t, d, x); math.IsNaN(s) {
				t.Fatalf("novelty %d: point %d scored NaN", o.Novelty, i)
			}
		}
		if _, err := d.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
	}
}
