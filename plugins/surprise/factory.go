package surprise

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Name is the detector's registered name. It is part of every alert id, so
// it must not change.
const Name = "surprise"

// Version is the version of the algorithm and of its snapshot format.
const Version = "1"

// AlertThreshold is the score of a one-in-100,000 surprise, Numenta's
// "red": the decision threshold to alert at.
const AlertThreshold = 0.5

var (
	_ sdk.Factory  = (*Factory)(nil)
	_ sdk.Detector = (*detector)(nil)
)

// Factory makes surprise instances, one per series, all with the same
// Options.
type Factory struct {
	opts Options
}

// New validates opts, fills in defaults and returns a Factory.
func New(opts Options) (*Factory, error) {
	o, err := opts.validated()
	if err != nil {
		return nil, err
	}
	return &Factory{opts: o}, nil
}

// Options returns the options instances are made with, defaults filled in.
func (f *Factory) Options() Options { return f.opts }

// Info describes surprise: streaming and univariate.
func (f *Factory) Info() sdk.Info {
	return sdk.Info{Name: Name, Version: Version, Kind: sdk.Streaming, MaxDim: 1}
}

// New returns a fresh instance for one series. The detector is univariate:
// dim must be 1, anything else is an error wrapping sdk.ErrInvalidInput.
func (f *Factory) New(dim int) (sdk.Detector, error) {
	if dim != 1 {
		return nil, fmt.Errorf("dim %d: surprise is univariate, want dim 1: %w", dim, sdk.ErrInvalidInput)
	}
	return newDetector(f.opts), nil
}
