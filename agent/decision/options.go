package decision

import "fmt"

// Defaults of Options, used for zero fields.
const (
	// DefaultThreshold is high because detector scores are confidences:
	// 0.999 is a bit beyond 3σ for a z-score.
	DefaultThreshold = 0.999
	// DefaultConsecutive raises on the first anomalous point.
	DefaultConsecutive = 1
	// DefaultClearAfter ends an incident after 10 normal points in a row.
	DefaultClearAfter = 10
)

// Options is the alerting policy of a series. Zero fields take their
// defaults.
type Options struct {
	// Threshold: a score >= Threshold is an anomalous point. In (0, 1].
	Threshold float64
	// Consecutive is how many anomalous points in a row raise an alert. >= 1.
	Consecutive int
	// ClearAfter is how many normal points in a row end an incident, so
	// the next anomalous point can raise a new alert. >= 1.
	ClearAfter int
}

// Validate fills in defaults for zero fields and checks the ranges.
func (o *Options) Validate() error {
	*o = o.withDefaults()
	switch {
	case !(o.Threshold > 0 && o.Threshold <= 1):
		return fmt.Errorf("threshold %v out of range: must be in (0, 1]", o.Threshold)
	case o.Consecutive < 1:
		return fmt.Errorf("consecutive %d out of range: must be >= 1", o.Consecutive)
	case o.ClearAfter < 1:
		return fmt.Errorf("clear_after %d out of range: must be >= 1", o.ClearAfter)
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.Threshold == 0 {
		o.Threshold = DefaultThreshold
	}
	if o.Consecutive == 0 {
		o.Consecutive = DefaultConsecutive
	}
	if o.ClearAfter == 0 {
		o.ClearAfter = DefaultClearAfter
	}
	return o
}
