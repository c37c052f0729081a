package pca

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Name is the detector's registered name. It is part of every alert id, so
// it must not change.
const Name = "pca"

// Version is the version of the algorithm and of its snapshot format.
const Version = "1"

var (
	_ sdk.Factory   = (*Factory)(nil)
	_ sdk.Detector  = (*detector)(nil)
	_ sdk.Fitter    = (*detector)(nil)
	_ sdk.Explainer = (*detector)(nil)
)

// Factory makes pca instances, one per series, all with the same Options.
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

// Info describes pca: batch, two or more features, explains.
func (f *Factory) Info() sdk.Info {
	return sdk.Info{Name: Name, Version: Version, Kind: sdk.Batch, MaxDim: MaxDim, Explains: true}
}

// New returns an unfitted instance for samples of dim features: 2..MaxDim,
// and more than Components. Another dim is an error wrapping
// sdk.ErrInvalidInput. The instance implements sdk.Fitter and
// sdk.Explainer.
func (f *Factory) New(dim int) (sdk.Detector, error) {
	switch {
	case dim < 2 || dim > MaxDim:
		return nil, fmt.Errorf("dim %d: pca wants 2..%d features: %w", dim, MaxDim, sdk.ErrInvalidInput)
	case f.opts.Components >= dim:
		return nil, fmt.Errorf("dim %d: %d components leave no residual, want dim ≥ %d: %w",
			dim, f.opts.Components, f.opts.Components+1, sdk.ErrInvalidInput)
	}
	return &detector{opts: f.opts, dim: dim}, nil
}
