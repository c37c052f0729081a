package surprise

import "math"

// seasonalLags are the seasonal model's inputs besides a constant: the
// last three values, and around a day and a week at sampling intervals of
// 60, 30, 15, 10 and 5 minutes, one either side for clocks that drift. A
// series with none of those seasons gets weights near 0 for them.
var seasonalLags = [...]int{
	1, 2, 3,
	23, 24, 25, 47, 48, 49, 95, 96, 97, 143, 144, 145, 287, 288, 289, // a day
	167, 168, 169, 335, 336, 337, 671, 672, 673, 1007, 1008, 1009, 2015, 2016, 2017, // a week
}

const (
	// maxLag is the longest lag: the seasonal model starts once the
	// series is longer, and the detector keeps that many values.
	maxLag = 2017
	// features is the model's input size: a constant and the lags.
	features = len(seasonalLags) + 1
	// forget is the recursive least squares' forgetting factor: the model
	// remembers about 1,000 points, so it follows a season that changes.
	forget = 0.999
	// initP is the initial covariance, large: the first points decide.
	initP = 100
	// maxP bounds the covariance: with inputs that do not vary (a flat
	// series), forgetting would grow it by 1/forget a point without end.
	maxP = 1e8
)

// seasonal is a recursive least squares regression of the value, scaled
// to the series' range, on seasonalLags.
type seasonal struct {
	w [features]float64
	p [features * features]float64
	// scratch, not state
	x, px [features]float64
}

func newSeasonal() seasonal {
	var s seasonal
	s.reset()
	return s
}

func (s *seasonal) reset() {
	s.w = [features]float64{}
	s.p = [features * features]float64{}
	for i := range features {
		s.p[i*features+i] = initP
	}
}

// step returns the absolute error of the forecast of v from the values
// held in vals (at least maxLag), in the units of v, then learns v. lo and
// span map values to [0, 1]-ish model units.
func (s *seasonal) step(v float64, vals *ring, lo, span float64) float64 {
	s.x[0] = 1
	for k, l := range seasonalLags {
		s.x[k+1] = (vals.back(l) - lo) / span
	}
	y := (v - lo) / span
	pred := dot(s.w[:], s.x[:])
	err := math.Abs(y-pred) * span
	s.learn(y - pred)
	if !finite(err) || !s.sane() {
		// Only absurd inputs get here; start the model afresh rather
		// than let NaN into the scores.
		s.reset()
		return math.Abs(v - vals.back(1))
	}
	return err
}

// learn is the recursive least squares update for the error e of the
// forecast of s.x.
func (s *seasonal) learn(e float64) {
	for i := range features {
		s.px[i] = dot(s.p[i*features:(i+1)*features], s.x[:])
	}
	den := forget
	for i := range features {
		den += s.x[i] * s.px[i]
	}
	grow := 1 / forget
	for i := range features {
		if s.p[i*features+i] > maxP {
			grow = 1
		}
	}
	for i := range features {
		k := s.px[i] / den
		s.w[i] += k * e
		row := s.p[i*features : (i+1)*features]
		for j := range row {
			row[j] = (row[j] - k*s.px[j]) * grow
		}
	}
}

// sane reports whether the model is finite. The weights suffice: with
// finite inputs, a non-finite covariance entry reaches them through the
// gain in the update it first takes part in.
func (s *seasonal) sane() bool {
	for _, v := range s.w {
		if !finite(v) {
			return false
		}
	}
	return true
}

// saneAll checks the covariance too, for a restored state that has not
// been through an update yet.
func (s *seasonal) saneAll() bool {
	for _, v := range s.p {
		if !finite(v) {
			return false
		}
	}
	return s.sane()
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
