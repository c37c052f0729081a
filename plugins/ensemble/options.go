package ensemble

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/internal/params"
)

// Method says how an ensemble combines its members' scores.
type Method string

// Combining methods.
const (
	// Mean is the mean of the members' scores.
	Mean Method = "mean"
	// Max is the largest member score: a point is as anomalous as the most
	// alarmed member says.
	Max Method = "max"
	// Rank is the mean of the members' ranks, each the fraction of that
	// member's last RankWindow scores below its current score.
	Rank Method = "rank"
)

// Defaults and limits of Options.
const (
	// DefaultMethod is the method of a zero Options.
	DefaultMethod = Mean
	// DefaultRankWindow is the number of scores each member's rank is
	// taken against.
	DefaultRankWindow = 1000
	// MinRankWindow is also the warm-up: a member's rank is 0 until it has
	// this many scores, fewer than which a rank means little.
	MinRankWindow = 10
	// MaxRankWindow bounds the window: each member keeps 8 bytes per slot
	// for every series, and a rank scans the whole window.
	MaxRankWindow = 1 << 16
)

// Options configures an ensemble. Zero fields take their defaults.
type Options struct {
	// Method is "mean", "max" or "rank"; default "mean".
	Method Method
	// RankWindow: for "rank", each member's score is replaced by its rank
	// among that member's last RankWindow scores (an online empirical CDF),
	// making members with different score scales comparable.
	// MinRankWindow..MaxRankWindow, default DefaultRankWindow. It must be 0
	// for the other methods, which keep no window.
	RankWindow int
}

// validated returns o with defaults filled in, or an error naming the first
// option out of range.
func (o Options) validated() (Options, error) {
	if o.Method == "" {
		o.Method = DefaultMethod
	}
	switch o.Method {
	case Mean, Max:
		if o.RankWindow != 0 {
			return o, fmt.Errorf("rank_window %d set with method %q: it applies only to method %q", o.RankWindow, o.Method, Rank)
		}
	case Rank:
		if o.RankWindow == 0 {
			o.RankWindow = DefaultRankWindow
		}
		if o.RankWindow < MinRankWindow || o.RankWindow > MaxRankWindow {
			return o, fmt.Errorf("rank_window %d out of range: must be %d..%d", o.RankWindow, MinRankWindow, MaxRankWindow)
		}
	default:
		return o, fmt.Errorf("unknown method %q (known: %s, %s, %s)", o.Method, Max, Mean, Rank)
	}
	return o, nil
}

// code is the method's byte in a snapshot.
func (m Method) code() byte {
	switch m {
	case Mean:
		return 1
	case Max:
		return 2
	case Rank:
		return 3
	}
	return 0
}

// ParseParams turns a config's string params into Options: method (mean,
// max, rank) and rank_window. Missing keys take the defaults; unknown keys
// and bad values are errors naming them. The members are not params: the
// agent's config lists them under the detector's members.
func ParseParams(kv map[string]string) (Options, error) {
	var o Options
	err := params.Bind(kv, params.Fields{
		"method":      params.String(&o.Method),
		"rank_window": params.Int(&o.RankWindow),
	})
	if err != nil {
		return Options{}, err
	}
	return o.validated()
}
