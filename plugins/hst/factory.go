package hst

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Name is the detector's registered name. It is part of every alert id, so
// it must not change.
const Name = "hst"

// Version is the version of the algorithm and of its snapshot format.
const Version = "1"

var (
	_ sdk.Factory   = (*Factory)(nil)
	_ sdk.Detector  = (*detector)(nil)
	_ sdk.Explainer = (*detector)(nil)
)

// Factory makes hst instances, one per series, all with the same Options.
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

// Info describes hst: streaming, any number of features, explains scores.
func (f *Factory) Info() sdk.Info {
	return sdk.Info{Name: Name, Version: Version, Kind: sdk.Streaming, MaxDim: 0, Explains: true}
}

// New returns a fresh instance for one series with dim features per sample,
// dim >= 1; anything else is an error wrapping sdk.ErrInvalidInput.
func (f *Factory) New(dim int) (sdk.Detector, error) {
	if dim < 1 {
		return nil, fmt.Errorf("dim %d: want at least 1 feature: %w", dim, sdk.ErrInvalidInput)
	}
	return newDetector(f.opts, dim), nil
}
