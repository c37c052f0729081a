package surprise

import "github.com/pynomaly/pynomaly/plugins/sdk"

// Name is the detector's registered name. It is part of every alert id, so
// it must not change.
const Name = "surprise"

// Version is the version of the algorithm and of its snapshot format.
const Version = "2"

// AlertThreshold is the score of a one-in-100,000 surprise, Numenta's
// "red": the decision threshold to alert at.
const AlertThreshold = 0.5

var (
	_ sdk.Factory  = (*Factory)(nil)
	_ sdk.Detector = (*detector)(nil)
)

// Factory makes surprise instances, one per series, all with the same
// Options; its Options, Info and New come from sdk.Univariate.
type Factory = sdk.Univariate[Options]

// New validates opts, fills in defaults and returns a Factory.
func New(opts Options) (*Factory, error) {
	o, err := opts.validated()
	if err != nil {
		return nil, err
	}
	return sdk.NewUnivariate(Name, Version, o, func(o Options) sdk.Detector { return newDetector(o) }), nil
}
