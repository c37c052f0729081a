package surprise

import "math"

// Constants of the anomaly likelihood, Numenta's unless said otherwise.
const (
	// reestimate is how often, in points, the normal the averages are
	// judged against is refitted.
	reestimate = 100
	// minMean and minVar floor the fitted normal, so that a channel that
	// has been perfectly quiet does not call its first ripple impossible.
	minMean = 0.03
	minVar  = 0.0003
	// red is the tail probability of an anomaly; a red within the
	// refractory period of the previous one is held at yellow.
	red    = 1e-5
	yellow = 1e-3
	// floorP keeps the logarithm finite; scores reach 1 at 1e-10.
	floorP = 1e-10
)

// likelihood turns a channel's raw surprise in [0, 1] into a score: the
// tail probability of the mean of the last Short raws under a normal
// fitted to that mean's history.
type likelihood struct {
	raws ring // the last Short raws
	sum  float64
	n    uint64 // raws seen
	// ewm and ewv are the exponentially weighted mean and variance of the
	// averages, with weight max(1/History, 1/n): the plain mean and
	// variance until n reaches History, a window of about History after.
	ewm, ewv  float64
	mean, std float64 // the normal in force, refitted every reestimate points
	lastRed   uint64  // n of the last red, 0 for none
}

func newLikelihood(o Options) likelihood { return likelihood{raws: newRing(o.Short)} }

// step takes the next raw and returns the score, 0 while learning.
func (l *likelihood) step(raw float64, o Options) float64 {
	if l.raws.n == len(l.raws.buf) {
		l.sum -= l.raws.back(l.raws.n)
	}
	l.raws.push(raw)
	l.sum += raw
	avg := l.sum / float64(l.raws.n)
	l.n++
	l.fit(avg, o)
	if l.n < uint64(o.Learn) {
		return 0
	}
	p := tail(avg, l.mean, l.std)
	if p <= red {
		recent := l.lastRed > 0 && l.n-l.lastRed <= uint64(o.Refractory)
		l.lastRed = l.n
		if recent {
			p = yellow
		}
	}
	return max(0, min(1, math.Log(p+floorP)/math.Log(floorP)))
}

func (l *likelihood) fit(avg float64, o Options) {
	if l.n == 1 {
		l.ewm, l.ewv = avg, 0
	} else {
		w := max(1/float64(o.History), 1/float64(l.n))
		d := avg - l.ewm
		l.ewm += w * d
		l.ewv = (1 - w) * (l.ewv + w*d*d)
	}
	learn := uint64(o.Learn)
	if l.n == learn || (l.n > learn && (l.n-learn)%reestimate == 0) {
		l.mean = max(l.ewm, minMean)
		l.std = math.Sqrt(max(l.ewv, minVar))
	}
}

// tail is the two-sided normal tail probability, folded as Numenta's is:
// a value below the mean counts as far above it.
func tail(x, mean, std float64) float64 {
	if x < mean {
		x = 2*mean - x
	}
	return 0.5 * math.Erfc((x-mean)/std/math.Sqrt2)
}
