package ewma

import "github.com/pynomaly/pynomaly/plugins/sdk"

// Name is the detector's registered name. It is part of every alert id, so
// it must not change.
const Name = "ewma"

// Version is the version of the algorithm and of its snapshot format.
const Version = "1"

var (
	_ sdk.Factory  = (*Factory)(nil)
	_ sdk.Detector = (*detector)(nil)
)

// Factory makes ewma instances, one per series, all with the same
// Options; its Options, Info and New come from sdk.Univariate.
type Factory = sdk.Univariate[Options]

// New validates opts, fills in defaults and returns a Factory.
func New(opts Options) (*Factory, error) {
	o, err := opts.validated()
	if err != nil {
		return nil, err
	}
	return sdk.NewUnivariate(Name, Version, o, func(o Options) sdk.Detector { return &detector{opts: o} }), nil
}
