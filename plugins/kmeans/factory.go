package kmeans

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Name is the detector's registered name. It is part of every alert id, so
// it must not change.
const Name = "kmeans"

// Version is the version of the algorithm and of its snapshot format.
const Version = "1"

var (
	_ sdk.Factory  = (*Factory)(nil)
	_ sdk.Detector = (*detector)(nil)
	_ sdk.Fitter   = (*detector)(nil)
)

// Factory makes kmeans instances, one per series, all with the same
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

// Info describes kmeans: batch, univariate, no explanations.
func (f *Factory) Info() sdk.Info {
	return sdk.Info{Name: Name, Version: Version, Kind: sdk.Batch, MaxDim: 1}
}

// New returns an unfitted instance; dim must be 1, anything else is an
// error wrapping sdk.ErrInvalidInput. The instance implements sdk.Fitter.
func (f *Factory) New(dim int) (sdk.Detector, error) {
	if dim != 1 {
		return nil, fmt.Errorf("dim %d: kmeans is univariate, wants 1 feature: %w", dim, sdk.ErrInvalidInput)
	}
	return &detector{opts: f.opts}, nil
}
