package kmeans

import (
	"cmp"
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/internal/params"
)

// Defaults and limits of Options.
const (
	// Off as Options.Diff scores levels rather than differences; as
	// Options.Lag it makes the feature vector the current value alone.
	Off = -1

	// DefaultDiff is Options.Diff when 0: first differences, as Netdata.
	DefaultDiff = 1
	// DefaultSmooth is Options.Smooth when 0, as Netdata.
	DefaultSmooth = 3
	// DefaultLag is Options.Lag when 0, as Netdata: vectors of 6 values.
	DefaultLag = 5
	// DefaultK is Options.K when 0, as Netdata.
	DefaultK = 2
	// DefaultIterations is Options.Iterations when 0.
	DefaultIterations = 50
	// DefaultSeed is Options.Seed when 0.
	DefaultSeed = 1

	// MaxDiff bounds Options.Diff, and with MaxSmooth and MaxLag the
	// history an instance keeps.
	MaxDiff = 100
	// MaxSmooth bounds Options.Smooth.
	MaxSmooth = 100
	// MaxLag bounds Options.Lag.
	MaxLag = 100
	// MaxK bounds the centres, and so the work per scored point.
	MaxK = 64
	// MaxIterations bounds the Lloyd iterations of one Fit.
	MaxIterations = 1000
)

// Options configures the detector. Zero fields take their defaults.
type Options struct {
	// Diff is the distance of the differences, x[t] − x[t−Diff]:
	// 1..MaxDiff, Off for none, 0 for DefaultDiff.
	Diff int
	// Smooth is the moving-average window over the differences:
	// 1..MaxSmooth (1 does not smooth), 0 for DefaultSmooth.
	Smooth int
	// Lag is how many earlier smoothed values join the current one in a
	// feature vector: 1..MaxLag, Off for none, 0 for DefaultLag.
	Lag int
	// K is the number of clusters: 1..MaxK, 0 for DefaultK.
	K int
	// Iterations bounds Lloyd's iterations: 1..MaxIterations, 0 for
	// DefaultIterations. Fit stops earlier when no vector changes cluster.
	Iterations int
	// Seed seeds the k-means++ initialisation; 0 means DefaultSeed. The
	// same seed and rows give the same model.
	Seed uint64
}

// validated returns o with defaults filled in, or an error naming the first
// option out of range.
func (o Options) validated() (Options, error) {
	o.Diff = cmp.Or(o.Diff, DefaultDiff)
	o.Smooth = cmp.Or(o.Smooth, DefaultSmooth)
	o.Lag = cmp.Or(o.Lag, DefaultLag)
	o.K = cmp.Or(o.K, DefaultK)
	o.Iterations = cmp.Or(o.Iterations, DefaultIterations)
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	switch {
	case o.Diff != Off && (o.Diff < 1 || o.Diff > MaxDiff):
		return o, fmt.Errorf("diff %d out of range: must be 1..%d, or off", o.Diff, MaxDiff)
	case o.Smooth < 1 || o.Smooth > MaxSmooth:
		return o, fmt.Errorf("smooth %d out of range: must be 1..%d", o.Smooth, MaxSmooth)
	case o.Lag != Off && (o.Lag < 1 || o.Lag > MaxLag):
		return o, fmt.Errorf("lag %d out of range: must be 1..%d, or off", o.Lag, MaxLag)
	case o.K < 1 || o.K > MaxK:
		return o, fmt.Errorf("k %d out of range: must be 1..%d", o.K, MaxK)
	case o.Iterations < 1 || o.Iterations > MaxIterations:
		return o, fmt.Errorf("iterations %d out of range: must be 1..%d", o.Iterations, MaxIterations)
	}
	return o, nil
}

// shape returns the preprocessing of validated options, Off as 0.
func (o Options) shape() shape {
	return shape{diff: max(o.Diff, 0), smooth: o.Smooth, lag: max(o.Lag, 0)}
}

// ParseParams builds Options from string parameters such as the CLI's
// --param k=3. Every key takes a non-negative integer. For diff and lag,
// 0 turns the step off (Off); for smooth, k, iterations and seed it means
// the default. The result is validated, with defaults filled in.
func ParseParams(kv map[string]string) (Options, error) {
	var o Options
	err := params.Bind(kv, params.Fields{
		"diff":       params.NonNegativeInt(&o.Diff),
		"smooth":     params.NonNegativeInt(&o.Smooth),
		"lag":        params.NonNegativeInt(&o.Lag),
		"k":          params.NonNegativeInt(&o.K),
		"iterations": params.NonNegativeInt(&o.Iterations),
		"seed":       params.Uint(&o.Seed),
	})
	if err != nil {
		return Options{}, err
	}
	// A 0 given for diff or lag turns the step off, while an absent key
	// (also 0 here) takes the default.
	if _, ok := kv["diff"]; ok && o.Diff == 0 {
		o.Diff = Off
	}
	if _, ok := kv["lag"]; ok && o.Lag == 0 {
		o.Lag = Off
	}
	return o.validated()
}
