package ensemble

import (
	"fmt"
	"strings"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Name is the detector's registered name. It is part of every alert id, so
// it must not change.
const Name = "ensemble"

// Version is the version of the combination and of its snapshot format.
const Version = "1"

// MinMembers is the fewest members an ensemble takes.
const MinMembers = 2

var (
	_ sdk.Factory  = (*Factory)(nil)
	_ sdk.Detector = (*detector)(nil)
)

// Factory makes ensemble instances, one per series, each holding one
// instance of every member.
type Factory struct {
	opts    Options
	members []sdk.Factory
	names   []string // members' Info().Name, in order
	info    sdk.Info
}

// New validates opts and the member factories and returns a Factory. It
// takes at least MinMembers members, all streaming: wrap a batch detector
// with sdk.FitFirst first. The member slice is copied.
func New(opts Options, members ...sdk.Factory) (*Factory, error) {
	o, err := opts.validated()
	if err != nil {
		return nil, err
	}
	if len(members) < MinMembers {
		return nil, fmt.Errorf("ensemble of %d members: want at least %d", len(members), MinMembers)
	}
	f := &Factory{opts: o, members: append([]sdk.Factory(nil), members...)}
	var batch []string
	for i, m := range f.members {
		if m == nil {
			return nil, fmt.Errorf("member %d is nil", i)
		}
		info := m.Info()
		f.names = append(f.names, info.Name)
		if info.Kind != sdk.Streaming {
			batch = append(batch, fmt.Sprintf("%d (%s)", i, info.Name))
		}
		f.info.MaxDim = minDim(f.info.MaxDim, info.MaxDim)
	}
	if len(batch) > 0 {
		return nil, fmt.Errorf("member %s: not streaming; wrap a batch detector with sdk.FitFirst to stream it", strings.Join(batch, ", "))
	}
	f.info.Name, f.info.Version, f.info.Kind = Name, Version, sdk.Streaming
	return f, nil
}

// minDim is the smaller of two MaxDims, where 0 means any.
func minDim(a, b int) int {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	return min(a, b)
}

// Options returns the options instances are made with, defaults filled in.
func (f *Factory) Options() Options { return f.opts }

// Info describes the ensemble: streaming, MaxDim the smallest non-zero of
// the members' (0 if all are 0), no explanations.
func (f *Factory) Info() sdk.Info { return f.info }

// New returns a fresh instance for one series, with a fresh instance of
// every member. A dim the ensemble or a member does not support is an error
// wrapping sdk.ErrInvalidInput.
func (f *Factory) New(dim int) (sdk.Detector, error) {
	switch {
	case dim < 1:
		return nil, fmt.Errorf("dim %d: want at least 1: %w", dim, sdk.ErrInvalidInput)
	case f.info.MaxDim > 0 && dim > f.info.MaxDim:
		return nil, fmt.Errorf("dim %d: a member takes at most %d: %w", dim, f.info.MaxDim, sdk.ErrInvalidInput)
	}
	ms, err := f.newMembers(dim)
	if err != nil {
		return nil, err
	}
	d := &detector{f: f, dim: dim, members: ms, scores: make([]float64, len(ms))}
	if f.opts.Method == Rank {
		d.windows = make([]window, len(ms))
	}
	return d, nil
}

func (f *Factory) newMembers(dim int) ([]sdk.Detector, error) {
	ms := make([]sdk.Detector, len(f.members))
	for i, m := range f.members {
		d, err := m.New(dim)
		if err != nil {
			return nil, fmt.Errorf("member %d (%s): %w", i, f.names[i], err)
		}
		ms[i] = d
	}
	return ms, nil
}

// Members returns the member factories, in order. The slice is a copy.
func (f *Factory) Members() []sdk.Factory { return append([]sdk.Factory(nil), f.members...) }
