package nab_test

import (
	"errors"
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/agent/nab"
)

// The hand-worked cases use one file of 100 rows: probation is rows 0..14
// (floor(0.15·100) = 15), one window at rows 40..49 (W = 10). They use
// σ_A(y) = 2/(1+e^{5y}) − 1 = tanh(−5y/2), so a detection at row i of the
// window earns tanh(5(49−i+1)/20)/tanh(2.5) and one at row i after it costs
// A_FP·tanh(−5(i−49)/18).
var (
	tp = func(i int) float64 { return math.Tanh(float64(5*(49-i+1))/20) / math.Tanh(2.5) }
	fp = func(i int) float64 { return math.Tanh(-float64(5*(i-49)) / 18) }
)

func TestScoreHandWorked(t *testing.T) {
	tests := []struct {
		name     string
		p        nab.Profile
		detected []int
		wantRaw  float64
		hit, fps int
	}{
		{name: "hit at the window's first row earns A_TP", p: nab.Standard, detected: []int{40}, wantRaw: 1, hit: 1},
		// y = −1/10: tanh(0.25)/tanh(2.5) = 0.248…
		{name: "hit at the window's right edge earns little", p: nab.Standard, detected: []int{49}, wantRaw: tp(49), hit: 1},
		// y = −0.5: σ_A(−0.5)/σ_A(−1) = 0.84828/0.98661 (NOTES.md's values).
		{name: "hit mid-window", p: nab.Standard, detected: []int{45}, wantRaw: 0.84828 / 0.98661, hit: 1},
		{name: "only the earliest hit in a window counts", p: nab.Standard, detected: []int{47, 42, 45}, wantRaw: tp(42), hit: 1},
		{name: "missed window costs A_FN", p: nab.Standard, wantRaw: -1},
		{name: "missed window, low FN profile", p: nab.RewardLowFN, wantRaw: -2},
		// y = (50−49)/(10−1) = 1/9: σ = tanh(−5/18) = −0.271, times 0.11.
		{name: "FP just after the window costs little", p: nab.Standard, detected: []int{40, 50}, wantRaw: 1 + 0.11*fp(50), hit: 1, fps: 1},
		{name: "FP just after the window, low FP profile", p: nab.RewardLowFP, detected: []int{40, 50}, wantRaw: 1 + 0.22*fp(50), hit: 1, fps: 1},
		// y = 27/9 = 3 is still on the curve; y = 28/9 > 3 costs exactly A_FP.
		{name: "FP three widths after", p: nab.Standard, detected: []int{40, 76}, wantRaw: 1 + 0.11*math.Tanh(-7.5), hit: 1, fps: 1},
		{name: "FP past three widths costs A_FP", p: nab.Standard, detected: []int{40, 77}, wantRaw: 1 - 0.11, hit: 1, fps: 1},
		{name: "FP before any window costs A_FP", p: nab.Standard, detected: []int{20, 40}, wantRaw: 1 - 0.11, hit: 1, fps: 1},
		{name: "each FP row is charged", p: nab.Standard, detected: []int{20, 21, 22}, wantRaw: -1 - 3*0.11, fps: 3},
		{name: "detections in the probationary period do not count", p: nab.Standard, detected: []int{0, 7, 14}, wantRaw: -1},
		{name: "first row after probation counts", p: nab.Standard, detected: []int{15}, wantRaw: -1 - 0.11, fps: 1},
	}
	c := mustCorpus(t, nab.FileLabels{Name: "f.csv", Rows: 100, Windows: []nab.Window{{40, 49}}})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := c.Score(tc.p, [][]float64{detections(100, tc.detected...)}, 1)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(o.Raw-tc.wantRaw) > 1e-4 || o.Hit != tc.hit || o.Missed != 1-tc.hit || o.FP != tc.fps {
				t.Errorf("raw %v, hit %d, missed %d, FP %d; want raw %v, hit %d, missed %d, FP %d",
					o.Raw, o.Hit, o.Missed, o.FP, tc.wantRaw, tc.hit, 1-tc.hit, tc.fps)
			}
			if len(o.Files) != 1 || o.Files[0] != o.Raw {
				t.Errorf("Files = %v, want [%v]", o.Files, o.Raw)
			}
		})
	}
}

// TestWindowInProbation: a window reaching into the probationary period is
// scored on its rows past it only; one wholly inside it is neither hit nor
// missed (NAB drops such windows from its labels).
func TestWindowInProbation(t *testing.T) {
	c := mustCorpus(t, nab.FileLabels{Name: "f.csv", Rows: 100, Windows: []nab.Window{{2, 6}, {10, 19}}})
	// Row 16 of window 10..19: y = −(19−16+1)/10 = −0.4, tanh(1)/tanh(2.5).
	want := math.Tanh(1) / math.Tanh(2.5)
	for _, tc := range []struct {
		detected []int
		raw      float64
		hit      int
	}{
		{detected: []int{3, 12, 14}, raw: -1},
		{detected: []int{12, 16}, raw: want, hit: 1},
	} {
		o, err := c.Score(nab.Standard, [][]float64{detections(100, tc.detected...)}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(o.Raw-tc.raw) > 1e-12 || o.Hit != tc.hit || o.Hit+o.Missed != 1 {
			t.Errorf("detected %v: raw %v, hit %d, missed %d; want raw %v, hit %d of 1 live window", tc.detected, o.Raw, o.Hit, o.Missed, tc.raw, tc.hit)
		}
	}
}

// TestFPWeightedByPrecedingWindow: an FP between two windows is weighed by
// the one before it, not the nearer one after it.
func TestFPWeightedByPrecedingWindow(t *testing.T) {
	c := mustCorpus(t, nab.FileLabels{Name: "f.csv", Rows: 200, Windows: []nab.Window{{40, 49}, {60, 79}}})
	// Row 58: 9 rows after window 40..49 (y = 9/9 = 1), 2 before 60..79.
	o, err := c.Score(nab.Standard, [][]float64{detections(200, 40, 58, 60)}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2 + 0.11*math.Tanh(-2.5); math.Abs(o.Raw-want) > 1e-12 {
		t.Errorf("raw %v, want %v", o.Raw, want)
	}
}

func TestNullAndPerfectNormalise(t *testing.T) {
	files := []nab.FileLabels{
		{Name: "a.csv", Rows: 100, Windows: []nab.Window{{40, 49}, {70, 79}}},
		{Name: "b.csv", Rows: 300, Windows: []nab.Window{{100, 130}}},
		{Name: "c.csv", Rows: 120},
	}
	c := mustCorpus(t, files...)
	null := [][]float64{constant(100, 0.5), constant(300, 0.5), constant(120, 0.5)}
	perfect := [][]float64{detections(100, 40, 70), detections(300, 100), detections(120)}
	for _, p := range nab.Profiles() {
		t.Run(p.Name, func(t *testing.T) {
			if got := c.Null(p); got != -3*p.FN {
				t.Errorf("Null = %v, want −3·A_FN = %v", got, -3*p.FN)
			}
			if got := c.Perfect(p); got != 3*p.TP {
				t.Errorf("Perfect = %v, want 3·A_TP = %v", got, 3*p.TP)
			}
			for _, tc := range []struct {
				name   string
				scores [][]float64
				want   float64
			}{{"null", null, 0}, {"perfect", perfect, 100}} {
				o, err := c.Optimise(p, tc.scores)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(o.Score-tc.want) > 1e-12 {
					t.Errorf("%s detector scores %v (raw %v at %v), want %v", tc.name, o.Score, o.Raw, o.Threshold, tc.want)
				}
			}
		})
	}
}

// TestNormaliseNotes checks the arithmetic against NOTES.md and the
// scoreboard: with 116 windows, numenta's raw standard score 46.634… is
// 70.10…, ARTime's raw low-FN score 47.66… is 80.36….
func TestNormaliseNotes(t *testing.T) {
	files := make([]nab.FileLabels, 116)
	for i := range files {
		files[i] = nab.FileLabels{Name: "f.csv", Rows: 1000, Windows: []nab.Window{{500, 599}}}
	}
	c := mustCorpus(t, files...)
	for _, tc := range []struct {
		p        nab.Profile
		raw, nab float64
	}{
		{nab.Standard, 46.634450197137596, 70.10105611943965},
		{nab.RewardLowFP, 30.431072517124093, 63.11684160219828},
		{nab.RewardLowFN, 47.66075157860638, 80.36228493638114},
	} {
		if got := c.Normalise(tc.p, tc.raw); math.Abs(got-tc.nab) > 1e-9 {
			t.Errorf("%s: Normalise(%v) = %v, want %v", tc.p.Name, tc.raw, got, tc.nab)
		}
	}
}

// TestOptimise: the sweep finds the best threshold per profile, and the
// highest one on a tie.
func TestOptimise(t *testing.T) {
	c := mustCorpus(t, nab.FileLabels{Name: "f.csv", Rows: 100, Windows: []nab.Window{{40, 49}}})
	s := constant(100, 0.1)
	s[5] = 0.99  // probation: never counts
	s[20] = 0.95 // FP before the window: −A_FP
	s[45] = 0.9  // mid-window hit: +0.86
	s[52] = 0.8  // FP 3 rows after the window, y = 1/3
	s[25] = 0.7  // FP before the window
	for _, tc := range []struct {
		p    nab.Profile
		want float64
	}{
		// standard: 0.95 → −1.11; 0.9 → 0.75; 0.8 → 0.75 − 0.11·0.683;
		// 0.7 → less again; so 0.9.
		{nab.Standard, 0.9},
		{nab.RewardLowFP, 0.9},
		{nab.RewardLowFN, 0.9},
	} {
		o, err := c.Optimise(tc.p, [][]float64{s})
		if err != nil {
			t.Fatal(err)
		}
		want := tp(45) - tc.p.FP
		if o.Threshold != tc.want || math.Abs(o.Raw-want) > 1e-12 {
			t.Errorf("%s: threshold %v raw %v, want %v raw %v", tc.p.Name, o.Threshold, o.Raw, tc.want, want)
		}
	}
	// With the hit removed, detecting nothing is best: the sweep's start.
	s[45] = 0.1
	o, err := c.Optimise(nab.Standard, [][]float64{s})
	if err != nil {
		t.Fatal(err)
	}
	if o.Threshold != nab.NoDetections || o.Raw != -1 {
		t.Errorf("no hit: threshold %v raw %v, want %v and −1", o.Threshold, o.Raw, nab.NoDetections)
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []nab.FileLabels
	}{
		{"overlapping windows", []nab.FileLabels{{Name: "f", Rows: 100, Windows: []nab.Window{{10, 20}, {20, 30}}}}},
		{"window past the end", []nab.FileLabels{{Name: "f", Rows: 100, Windows: []nab.Window{{90, 100}}}}},
		{"window ends before it starts", []nab.FileLabels{{Name: "f", Rows: 100, Windows: []nab.Window{{50, 40}}}}},
	} {
		if _, err := nab.NewCorpus(tc.files); err == nil {
			t.Errorf("%s: NewCorpus accepted %+v", tc.name, tc.files)
		}
	}
	c := mustCorpus(t, nab.FileLabels{Name: "f", Rows: 3})
	for _, scores := range [][][]float64{{}, {{0, 0}}, {{0, math.NaN(), 0}}, {{0, 1.5, 0}}, {{0, -0.1, 0}}} {
		if _, err := c.Optimise(nab.Standard, scores); !errors.Is(err, nab.ErrScores) {
			t.Errorf("scores %v: err %v, want ErrScores", scores, err)
		}
	}
}

func TestProbationRows(t *testing.T) {
	for rows, want := range map[int]int{100: 15, 1126: 168, 4032: 604, 5000: 750, 22695: 750} {
		if got := nab.ProbationRows(rows); got != want {
			t.Errorf("ProbationRows(%d) = %d, want %d", rows, got, want)
		}
	}
}

func mustCorpus(t *testing.T, files ...nab.FileLabels) *nab.Corpus {
	t.Helper()
	c, err := nab.NewCorpus(files)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// detections returns n scores: 1 at the rows given, 0 elsewhere.
func detections(n int, rows ...int) []float64 {
	s := make([]float64, n)
	for _, i := range rows {
		s[i] = 1
	}
	return s
}

func constant(n int, v float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = v
	}
	return s
}
