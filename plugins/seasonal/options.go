package seasonal

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/internal/params"
)

// Defaults and limits of Options.
const (
	// MinSeason is the shortest period.
	MinSeason = 2
	// MaxSeason bounds memory: 8 bytes per position per series, so a
	// week at one-minute steps (10080) takes 80 KB.
	MaxSeason = 1 << 17
	// DefaultAlpha is the level's smoothing weight.
	DefaultAlpha = 0.1
	// DefaultBeta is the trend's smoothing weight.
	DefaultBeta = 0.01
	// DefaultGamma is the seasonal terms' smoothing weight; each term is
	// updated once per season, so it remembers about 1/Gamma seasons.
	DefaultGamma = 0.1
	// DefaultMADAlpha is the smoothing weight of the residual scale.
	DefaultMADAlpha = 0.05
	// DefaultClip is the winsorising limit in residual standard deviations.
	DefaultClip = 5
	// MinClip keeps level shifts learnable: the residual scale must grow
	// while residuals stay at the cap.
	MinClip = 2
	// MaxClip is large enough to mean "no clipping".
	MaxClip = 1000
)

// Options configures the detector. Season is required; other zero fields
// take their defaults. Every smoothing weight is in the open range (0, 1).
type Options struct {
	// Season is the period in samples, e.g. 288 for a daily pattern at
	// five-minute steps: MinSeason..MaxSeason. Required.
	Season int
	// Alpha is the level's smoothing weight, default DefaultAlpha.
	Alpha float64
	// Beta is the trend's smoothing weight, default DefaultBeta.
	Beta float64
	// Gamma is the seasonal terms' smoothing weight, default DefaultGamma.
	Gamma float64
	// MADAlpha is the smoothing weight of the mean absolute residual that
	// scales scores, default DefaultMADAlpha.
	MADAlpha float64
	// Clip caps the residual a value contributes to learning, in residual
	// standard deviations: MinClip..MaxClip, default DefaultClip.
	Clip float64
}

// validated returns o with defaults filled in, or an error naming the first
// option out of range.
func (o Options) validated() (Options, error) {
	if o.Season == 0 {
		return o, fmt.Errorf("season is required: the period in samples, e.g. 288 for daily at 5-minute steps")
	}
	if o.Season < MinSeason || o.Season > MaxSeason {
		return o, fmt.Errorf("season %d out of range: must be %d..%d", o.Season, MinSeason, MaxSeason)
	}
	weights := []struct {
		key string
		v   *float64
		def float64
	}{{"alpha", &o.Alpha, DefaultAlpha}, {"beta", &o.Beta, DefaultBeta}, {"gamma", &o.Gamma, DefaultGamma}, {"mad_alpha", &o.MADAlpha, DefaultMADAlpha}}
	for _, w := range weights {
		if *w.v == 0 {
			*w.v = w.def
		}
		if !(*w.v > 0 && *w.v < 1) {
			return o, fmt.Errorf("%s %v out of range: must be > 0 and < 1", w.key, *w.v)
		}
	}
	if o.Clip == 0 {
		o.Clip = DefaultClip
	}
	if !(o.Clip >= MinClip && o.Clip <= MaxClip) {
		return o, fmt.Errorf("clip %v out of range: must be %v..%v", o.Clip, MinClip, MaxClip)
	}
	return o, nil
}

// ParseParams builds Options from string parameters such as the CLI's
// --param season=288. Keys are "season" (an integer) and "alpha", "beta",
// "gamma", "mad_alpha", "clip" (numbers, 0 meaning the default). The result
// is validated, with defaults filled in.
func ParseParams(kv map[string]string) (Options, error) {
	var o Options
	err := params.Bind(kv, params.Fields{
		"season":    params.Int(&o.Season),
		"alpha":     params.FiniteFloat(&o.Alpha),
		"beta":      params.FiniteFloat(&o.Beta),
		"gamma":     params.FiniteFloat(&o.Gamma),
		"mad_alpha": params.FiniteFloat(&o.MADAlpha),
		"clip":      params.FiniteFloat(&o.Clip),
	})
	if err != nil {
		return Options{}, err
	}
	return o.validated()
}
