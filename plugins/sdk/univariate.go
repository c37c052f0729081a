package sdk

import "fmt"

// Univariate is the Factory of a streaming detector that scores one value
// per point and is made from validated options O: it checks dim and keeps
// the options, so a detector package need only say how to make one
// instance.
type Univariate[O any] struct {
	info Info
	opts O
	make func(O) Detector
}

// NewUnivariate returns a Univariate factory for the detector named in
// name and version, making instances with make. opts should be validated,
// defaults filled in.
func NewUnivariate[O any](name, version string, opts O, make func(O) Detector) *Univariate[O] {
	return &Univariate[O]{info: Info{Name: name, Version: version, Kind: Streaming, MaxDim: 1}, opts: opts, make: make}
}

// Options returns the options instances are made with.
func (f *Univariate[O]) Options() O { return f.opts }

// Info describes the detector: streaming, univariate, no explanations
// (with one feature there is nothing to attribute).
func (f *Univariate[O]) Info() Info { return f.info }

// New returns a fresh instance for one series. dim must be 1; anything
// else is an error wrapping ErrInvalidInput.
func (f *Univariate[O]) New(dim int) (Detector, error) {
	if dim != 1 {
		return nil, fmt.Errorf("dim %d: %s is univariate, want dim 1: %w", dim, f.info.Name, ErrInvalidInput)
	}
	return f.make(f.opts), nil
}
