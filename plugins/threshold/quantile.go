package threshold

import (
	"fmt"
	"math"
	"slices"
)

// Defaults and limits of QuantileOptions.
const (
	// DefaultQ is the quantile used when QuantileOptions.Q is zero.
	DefaultQ = 0.999
	// DefaultWindow is the window used when QuantileOptions.Window is zero.
	DefaultWindow = 10000
	// DefaultMinSamples is the calibration length used when
	// QuantileOptions.MinSamples is zero, capped at the window.
	DefaultMinSamples = 1000
	// MinQuantileWindow is the smallest window.
	MinQuantileWindow = 2
	// MaxQuantileWindow bounds memory (16 bytes per slot per series) and
	// the O(Window) cost of each score.
	MaxQuantileWindow = 1 << 20
)

// QuantileOptions configures NewQuantile. Zero fields take their defaults.
type QuantileOptions struct {
	// Q is the quantile of the window a score must exceed: in (0, 1),
	// default DefaultQ. About 1−Q of i.i.d. scores are flagged.
	Q float64
	// Window is how many of the most recent scores the quantile is taken
	// over: MinQuantileWindow..MaxQuantileWindow, default DefaultWindow.
	Window int
	// MinSamples is how many scores are seen before anything is flagged:
	// 1..Window, default min(DefaultMinSamples, Window).
	MinSamples int
}

func (o QuantileOptions) validated() (QuantileOptions, error) {
	if o.Q == 0 {
		o.Q = DefaultQ
	}
	if !(o.Q > 0 && o.Q < 1) {
		return o, fmt.Errorf("q %v out of range: must be in (0, 1)", o.Q)
	}
	if o.Window == 0 {
		o.Window = DefaultWindow
	}
	if o.Window < MinQuantileWindow || o.Window > MaxQuantileWindow {
		return o, fmt.Errorf("window %d out of range: must be %d..%d", o.Window, MinQuantileWindow, MaxQuantileWindow)
	}
	if o.MinSamples == 0 {
		o.MinSamples = min(DefaultMinSamples, o.Window)
	}
	if o.MinSamples < 1 || o.MinSamples > o.Window {
		return o, fmt.Errorf("min_samples %d out of range: must be 1..window (%d)", o.MinSamples, o.Window)
	}
	return o, nil
}

// quantile keeps the last Window scores twice: in arrival order, to know
// which to evict, and sorted, so the quantile is an index.
type quantile struct {
	o      QuantileOptions
	seen   uint64
	pos    int
	ring   []float64
	sorted []float64
}

// NewQuantile returns a policy that flags a score greater than the
// empirical Q-quantile of the last Window scores, flagged ones included,
// once MinSamples scores have been seen.
func NewQuantile(o QuantileOptions) (Policy, error) {
	o, err := o.validated()
	if err != nil {
		return nil, err
	}
	buf := make([]float64, 2*o.Window)
	return &quantile{o: o, ring: buf[:o.Window:o.Window], sorted: buf[o.Window:o.Window]}, nil
}

func (p *quantile) Observe(score float64) (bool, error) {
	if err := checkScore(score); err != nil {
		return false, err
	}
	anomalous := p.seen >= uint64(p.o.MinSamples) && score > p.current()
	p.push(score)
	return anomalous, nil
}

func (p *quantile) Threshold() float64 {
	if p.seen < uint64(p.o.MinSamples) {
		return math.NaN()
	}
	return p.current()
}

// current is the element of rank ⌊Q·n⌋ (0-based) of the n scores held: a
// new i.i.d. score exceeds it with probability (n−⌊Q·n⌋)/(n+1) ≈ 1−Q.
func (p *quantile) current() float64 {
	n := len(p.sorted)
	return p.sorted[min(n-1, int(p.o.Q*float64(n)))]
}

func (p *quantile) push(s float64) {
	if p.seen >= uint64(len(p.ring)) {
		i, _ := slices.BinarySearch(p.sorted, p.ring[p.pos])
		p.sorted = slices.Delete(p.sorted, i, i+1)
	}
	i, _ := slices.BinarySearch(p.sorted, s)
	p.sorted = slices.Insert(p.sorted, i, s)
	p.ring[p.pos] = s
	p.pos = (p.pos + 1) % len(p.ring)
	p.seen++
}
