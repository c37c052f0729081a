package zscore

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Name is the detector's registered name. It is part of every alert id, so
// it must not change.
const Name = "zscore"

var (
	_ sdk.Factory  = (*Factory)(nil)
	_ sdk.Detector = (*detector)(nil)
)

// Factory makes zscore instances, one per series, all with the same Options.
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

// Version is the version of the algorithm and of its snapshot format: 3
// since windows of decimals are snapshotted as their mantissas (versions 1
// and 2 are still read).
const Version = "3"

// Info describes zscore: streaming, univariate, no explanations (with one
// feature there is nothing to attribute).
func (f *Factory) Info() sdk.Info {
	return sdk.Info{Name: Name, Version: Version, Kind: sdk.Streaming, MaxDim: 1}
}

// New returns a fresh instance for one series. The detector is univariate:
// dim must be 1, anything else is an error wrapping sdk.ErrInvalidInput.
func (f *Factory) New(dim int) (sdk.Detector, error) {
	if dim != 1 {
		return nil, fmt.Errorf("dim %d: zscore is univariate, want dim 1: %w", dim, sdk.ErrInvalidInput)
	}
	return newDetector(f.opts), nil
}
