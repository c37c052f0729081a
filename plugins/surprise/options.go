package surprise

import (
	"cmp"
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/internal/params"
)

// Defaults and limits of Options. The first three are those of Numenta's
// anomaly likelihood.
const (
	DefaultShort   = 10
	DefaultHistory = 8640
	DefaultLearn   = 288
	// DefaultRankWindow errors are remembered per channel to rank a new
	// one: enough for a rank in the top tenth to mean something.
	DefaultRankWindow = 2000
	// DefaultTolerance is the fraction of the range a value must pass the
	// old extremes by to count as a new one.
	DefaultTolerance = 0.02
	// DefaultRefractory is the points after a red during which another red
	// of the same channel is held at yellow.
	DefaultRefractory = 40
	// DefaultPeak is how many earlier points a score must top to count.
	DefaultPeak = 30
	// NoPeak (param "off") keeps every score, peak or not.
	NoPeak = -1
	// DefaultNovelty is how many values the novelty channel learns from
	// before it scores: 750, two and a half days at 5 minutes.
	DefaultNovelty = 750
	// NoNovelty (param "off") turns the novelty channel off.
	NoNovelty = -1
	// minNovelty is two patterns' worth of values; maxNovelty bounds the
	// learning buffer at 512 KiB.
	minNovelty = 2 * noveltyBlock * noveltyWindow
	maxNovelty = 1 << 16
	maxWindow  = 1 << 20
)

// Options configures the detector. Zero fields take their defaults.
type Options struct {
	// Short is how many of the latest points' error ranks are averaged
	// before they are judged: 1..1000, default 10.
	Short int
	// History is the memory, in points, of the distribution the averages
	// are judged against: Short..1048576, default 8640.
	History int
	// Learn is how many points are seen before scoring starts; Score
	// returns 0 until then: 2..1048576, default 288.
	Learn int
	// RankWindow is how many recent errors a new one is ranked among:
	// 100..1048576, default 2000.
	RankWindow int
	// Tolerance is how far past the old range, as a fraction of it, a
	// value must go to score 1: (0, 10], default 0.02.
	Tolerance float64
	// Refractory is how many points after a red a channel's next red is
	// held at yellow: 1..1048576, default 40.
	Refractory int
	// Peak is how many earlier points' scores a score must be above to be
	// kept; one that is not scores 0, so an incident is one peak: 1..1000,
	// default 30, or NoPeak to keep every score.
	Peak int
	// Novelty is how many values the novelty channel learns from before
	// it scores: 112..65536, default 750, or NoNovelty to turn it off.
	Novelty int
}

// validated returns o with defaults filled in, or an error naming the first
// option out of range.
func (o Options) validated() (Options, error) {
	o.Short = cmp.Or(o.Short, DefaultShort)
	o.History = cmp.Or(o.History, DefaultHistory)
	o.Learn = cmp.Or(o.Learn, DefaultLearn)
	o.RankWindow = cmp.Or(o.RankWindow, DefaultRankWindow)
	o.Refractory = cmp.Or(o.Refractory, DefaultRefractory)
	o.Peak = cmp.Or(o.Peak, DefaultPeak)
	o.Tolerance = cmp.Or(o.Tolerance, DefaultTolerance)
	o.Novelty = cmp.Or(o.Novelty, DefaultNovelty)
	switch {
	case o.Short < 1 || o.Short > 1000:
		return o, fmt.Errorf("short %d out of range: must be 1..1000", o.Short)
	case o.History < o.Short || o.History > maxWindow:
		return o, fmt.Errorf("history %d out of range: must be short (%d)..%d", o.History, o.Short, maxWindow)
	case o.Learn < 2 || o.Learn > maxWindow:
		return o, fmt.Errorf("learn %d out of range: must be 2..%d", o.Learn, maxWindow)
	case o.RankWindow < 100 || o.RankWindow > maxWindow:
		return o, fmt.Errorf("rank_window %d out of range: must be 100..%d", o.RankWindow, maxWindow)
	case !(o.Tolerance > 0 && o.Tolerance <= 10):
		return o, fmt.Errorf("tolerance %v out of range: must be > 0 and <= 10", o.Tolerance)
	case o.Refractory < 1 || o.Refractory > maxWindow:
		return o, fmt.Errorf("refractory %d out of range: must be 1..%d", o.Refractory, maxWindow)
	case o.Peak != NoPeak && (o.Peak < 1 || o.Peak > 1000):
		return o, fmt.Errorf("peak %d out of range: must be 1..1000, or off", o.Peak)
	case o.Novelty != NoNovelty && (o.Novelty < minNovelty || o.Novelty > maxNovelty):
		return o, fmt.Errorf("novelty %d out of range: must be %d..%d, or off", o.Novelty, minNovelty, maxNovelty)
	}
	return o, nil
}

// ParseParams builds Options from string parameters such as the CLI's
// --param short=20. Keys are "short", "history", "learn", "rank_window",
// "refractory" (integers), "peak" and "novelty" (an integer or "off") and
// "tolerance" (a number); 0 means the default.
// The result is validated, with defaults filled in.
func ParseParams(kv map[string]string) (Options, error) {
	var o Options
	err := params.Bind(kv, params.Fields{
		"short":       params.Int(&o.Short),
		"history":     params.Int(&o.History),
		"learn":       params.Int(&o.Learn),
		"rank_window": params.Int(&o.RankWindow),
		"refractory":  params.Int(&o.Refractory),
		"peak":        params.IntOr(&o.Peak, "off", NoPeak),
		"novelty":     params.IntOr(&o.Novelty, "off", NoNovelty),
		"tolerance":   params.FiniteFloat(&o.Tolerance),
	})
	if err != nil {
		return Options{}, err
	}
	return o.validated()
}
