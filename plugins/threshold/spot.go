package threshold

import (
	"cmp"
	"fmt"
	"math"
)

// Defaults and limits of SPOTOptions.
const (
	// DefaultRisk is the risk q used when SPOTOptions.Risk is zero.
	DefaultRisk = 1e-4
	// DefaultInit is the calibration length used when SPOTOptions.Init is zero.
	DefaultInit = 1000
	// DefaultLevel is the peak-threshold quantile used when
	// SPOTOptions.Level is zero.
	DefaultLevel = 0.98
	// DefaultDepth is the drift window Parse uses for "dspot" without depth.
	DefaultDepth = 10
	// MinInit is the smallest calibration: fewer scores give no tail to fit.
	MinInit = 10
	// MaxInit bounds the calibration buffer, 8 bytes per score.
	MaxInit = 1 << 20
	// MaxDepth bounds the drift window, whose mean costs O(Depth) per score.
	MaxDepth = 1000
	// MaxPeaks caps the peaks a SPOT policy keeps: the most recent ones,
	// 16 bytes each. It bounds memory and the O(peaks) cost of each refit.
	MaxPeaks = 10000
)

// SPOTOptions configures NewSPOT. Zero fields take their defaults.
type SPOTOptions struct {
	// Risk is q, the probability a normal score is flagged: in
	// (0, 1−Level), default DefaultRisk.
	Risk float64
	// Init is n, how many scores calibrate the first threshold:
	// MinInit..MaxInit, default DefaultInit. Nothing is flagged until then.
	Init int
	// Level is the quantile of the calibration scores taken as the peak
	// threshold t: in (0, 1), default DefaultLevel.
	Level float64
	// Depth d > 0 selects DSPOT, which applies SPOT to the score minus the
	// mean of the last d normal scores: 0..MaxDepth, default 0 (SPOT).
	Depth int
}

func (o SPOTOptions) validated() (SPOTOptions, error) {
	o.Risk = cmp.Or(o.Risk, DefaultRisk)
	o.Level = cmp.Or(o.Level, DefaultLevel)
	if o.Init == 0 {
		o.Init = DefaultInit
	}
	switch {
	case !(o.Level > 0 && o.Level < 1):
		return o, fmt.Errorf("level %v out of range: must be in (0, 1)", o.Level)
	case !(o.Risk > 0 && o.Risk < 1-o.Level):
		return o, fmt.Errorf("risk %v out of range: must be in (0, 1−level) = (0, %v)", o.Risk, 1-o.Level)
	case o.Init < MinInit || o.Init > MaxInit:
		return o, fmt.Errorf("init %d out of range: must be %d..%d", o.Init, MinInit, MaxInit)
	case o.Depth < 0 || o.Depth > MaxDepth:
		return o, fmt.Errorf("depth %d out of range: must be 0..%d", o.Depth, MaxDepth)
	}
	return o, nil
}

// peak is one excess over t and the value of n when it was learned.
type peak struct {
	excess float64
	at     uint64
}

// spot is SPOT, or DSPOT when o.Depth > 0. t and z_q are on the surprise
// scale x = surprise(score − level()); level() is 0 for SPOT.
type spot struct {
	o        SPOTOptions
	maxPeaks int
	ready    bool      // calibration is over
	calib    []float64 // calibration surprises; nil once ready
	win      []float64 // DSPOT: the last Depth normal scores, ring order
	winPos   int       // next ring slot of win, once it is full
	t        float64   // peak threshold; NaN until ready
	n        uint64    // normal scores counted, calibration included
	base     uint64    // n when the last evicted peak was learned
	peaks    []peak    // ring of at most maxPeaks
	peakPos  int       // next ring slot of peaks, once it is full
	gamma    float64   // GPD shape fitted to the peaks
	sigma    float64   // GPD scale fitted to the peaks
	z        float64   // z_q; +Inf while there are no peaks
}

// NewSPOT returns SPOT (Siffer et al., KDD 2017), or DSPOT when
// o.Depth > 0. See the package documentation for the algorithm.
func NewSPOT(o SPOTOptions) (Policy, error) {
	o, err := o.validated()
	if err != nil {
		return nil, err
	}
	return newSPOT(o, MaxPeaks), nil
}

func newSPOT(o SPOTOptions, maxPeaks int) *spot {
	return &spot{o: o, maxPeaks: maxPeaks, t: math.NaN(), z: math.Inf(1),
		calib: make([]float64, 0, o.Init), win: make([]float64, 0, o.Depth)}
}

func (p *spot) Threshold() float64 {
	if !p.ready {
		return math.NaN()
	}
	return p.level() + 1 - 2*math.Exp(-p.z) // back to the score scale
}

// level is the mean of the drift window, 0 for SPOT or while it is empty.
func (p *spot) level() float64 {
	if len(p.win) == 0 {
		return 0
	}
	var sum float64
	for _, v := range p.win {
		sum += v
	}
	return sum / float64(len(p.win))
}
