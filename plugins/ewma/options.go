package ewma

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/internal/params"
)

// Defaults and limits of Options.
const (
	// DefaultAlpha is the smoothing weight of the newest value.
	DefaultAlpha = 0.05
	// MaxAlpha bounds Alpha: above it the estimates follow single values
	// too closely to call any of them an outlier.
	MaxAlpha = 0.5
	// DefaultMinSamples is the warm-up in values.
	DefaultMinSamples = 30
	// MaxMinSamples bounds the warm-up.
	MaxMinSamples = 1 << 20
	// DefaultClip is the winsorising limit in standard deviations.
	DefaultClip = 5
	// MinClip keeps level shifts learnable: with deviations capped at
	// Clip·σ, σ grows after a shift only while Clip² > 1/(1−Alpha).
	MinClip = 2
	// MaxClip is large enough to mean "no clipping".
	MaxClip = 1000
)

// Options configures the detector. Zero fields take their defaults.
type Options struct {
	// Alpha is the weight of each new value in the moving mean and
	// variance: 0 < Alpha <= MaxAlpha, default DefaultAlpha. The estimates
	// remember about 1/Alpha values.
	Alpha float64
	// MinSamples is the number of values seen before scoring starts; Score
	// returns 0 until then. 2..MaxMinSamples, default DefaultMinSamples.
	MinSamples int
	// Clip caps the deviation a value contributes to learning, in standard
	// deviations: MinClip..MaxClip, default DefaultClip.
	Clip float64
}

// validated returns o with defaults filled in, or an error naming the first
// option out of range.
func (o Options) validated() (Options, error) {
	if o.Alpha == 0 {
		o.Alpha = DefaultAlpha
	}
	if o.MinSamples == 0 {
		o.MinSamples = DefaultMinSamples
	}
	if o.Clip == 0 {
		o.Clip = DefaultClip
	}
	switch {
	case !(o.Alpha > 0 && o.Alpha <= MaxAlpha):
		return o, fmt.Errorf("alpha %v out of range: must be > 0 and <= %v", o.Alpha, MaxAlpha)
	case o.MinSamples < 2 || o.MinSamples > MaxMinSamples:
		return o, fmt.Errorf("min_samples %d out of range: must be 2..%d", o.MinSamples, MaxMinSamples)
	case !(o.Clip >= MinClip && o.Clip <= MaxClip):
		return o, fmt.Errorf("clip %v out of range: must be %v..%v", o.Clip, MinClip, MaxClip)
	}
	return o, nil
}

// ParseParams builds Options from string parameters such as the CLI's
// --param alpha=0.02. Keys are "alpha", "clip" (numbers) and "min_samples"
// (an integer); 0 means the default. The result is validated, with defaults
// filled in.
func ParseParams(kv map[string]string) (Options, error) {
	var o Options
	err := params.Bind(kv, params.Fields{
		"alpha":       params.FiniteFloat(&o.Alpha),
		"clip":        params.FiniteFloat(&o.Clip),
		"min_samples": params.Int(&o.MinSamples),
	})
	if err != nil {
		return Options{}, err
	}
	return o.validated()
}
