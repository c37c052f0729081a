package hbos

import (
	"fmt"
	"math"

	"github.com/pynomaly/pynomaly/plugins/internal/params"
)

// Defaults and limits of Options.
const (
	// DefaultBins is the number of bins per feature when Options.Bins is 0.
	DefaultBins = 10
	// AutoBins as Options.Bins chooses √n bins for n training rows, as
	// Goldstein and Dengel suggest, limited to MinBins..MaxBins.
	AutoBins = -1
	// MinBins is the fewest bins a histogram may have.
	MinBins = 2
	// MaxBins bounds the model: 4 bytes per bin per feature.
	MaxBins = 1000
)

// Options configures the detector. Zero fields take their defaults.
type Options struct {
	// Bins is the number of equal-width bins per feature: MinBins..MaxBins,
	// AutoBins, or 0 for DefaultBins.
	Bins int
}

// validated returns o with defaults filled in, or an error naming the first
// option out of range.
func (o Options) validated() (Options, error) {
	if o.Bins == 0 {
		o.Bins = DefaultBins
	}
	if o.Bins != AutoBins && (o.Bins < MinBins || o.Bins > MaxBins) {
		return o, fmt.Errorf("bins %d out of range: must be %d..%d, or auto", o.Bins, MinBins, MaxBins)
	}
	return o, nil
}

// binsFor returns the bins to use for n training rows.
func (o Options) binsFor(n int) int {
	if o.Bins != AutoBins {
		return o.Bins
	}
	k := int(math.Round(math.Sqrt(float64(n))))
	return min(max(k, MinBins), MaxBins)
}

// ParseParams builds Options from string parameters such as the CLI's
// --param bins=20. The only key is "bins": an integer (0 meaning the
// default) or "auto". The result is validated, with defaults filled in.
func ParseParams(kv map[string]string) (Options, error) {
	var o Options
	if err := params.Bind(kv, params.Fields{"bins": params.IntOr(&o.Bins, "auto", AutoBins)}); err != nil {
		return Options{}, err
	}
	return o.validated()
}
