package hbos

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Name is the detector's registered name. It is part of every alert id, so
// it must not change.
const Name = "hbos"

// Version is the version of the algorithm and of its snapshot format.
const Version = "1"

var (
	_ sdk.Factory   = (*Factory)(nil)
	_ sdk.Detector  = (*detector)(nil)
	_ sdk.Fitter    = (*detector)(nil)
	_ sdk.Explainer = (*detector)(nil)
)

// Factory makes hbos instances, one per series, all with the same
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

// Info describes hbos: batch, any number of features, explains.
func (f *Factory) Info() sdk.Info {
	return sdk.Info{Name: Name, Version: Version, Kind: sdk.Batch, MaxDim: 0, Explains: true}
}

// New returns an unfitted instance for samples of dim features, 1..2^20;
// another dim is an error wrapping sdk.ErrInvalidInput. The instance
// implements sdk.Fitter and sdk.Explainer.
func (f *Factory) New(dim int) (sdk.Detector, error) {
	if dim < 1 || dim > maxDim {
		return nil, fmt.Errorf("dim %d: hbos wants 1..%d features: %w", dim, maxDim, sdk.ErrInvalidInput)
	}
	return &detector{opts: f.opts, dim: dim}, nil
}

// maxDim bounds the model, a histogram per feature.
const maxDim = 1 << 20
