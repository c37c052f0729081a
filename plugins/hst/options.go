package hst

import (
	"cmp"
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/internal/params"
)

// Defaults and limits of Options.
const (
	// DefaultTrees is the number of trees, as in Tan, Ting & Liu (2011).
	DefaultTrees = 25
	// MaxTrees bounds the cost per point, which is linear in the trees.
	MaxTrees = 256
	// DefaultDepth is the depth of each tree, as in the paper.
	DefaultDepth = 15
	// MaxDepth keeps node numbers within 31 bits.
	MaxDepth = 30
	// DefaultWindow is the number of points per mass profile, as in the
	// paper.
	DefaultWindow = 250
	// MinWindow keeps the size limit (Window/10) at least 1.
	MinWindow = 10
	// MaxWindow bounds the raw window an instance buffers (8·dim bytes per
	// point).
	MaxWindow = 1 << 16
	// DefaultSeed seeds the random trees.
	DefaultSeed = 1
)

// Options configures the detector. Zero fields take their defaults.
type Options struct {
	// Trees is the number of half-space trees: 1..MaxTrees, default
	// DefaultTrees.
	Trees int
	// Depth is the depth of each tree: 1..MaxDepth, default DefaultDepth.
	Depth int
	// Window is the number of points in the latest mass profile before it
	// becomes the reference: MinWindow..MaxWindow, default DefaultWindow.
	Window int
	// Seed draws the trees' random workspaces and split features; the same
	// seed gives the same trees, so scores are reproducible. 0 means
	// DefaultSeed.
	Seed uint64
}

// validated returns o with defaults filled in, or an error naming the first
// option out of range.
func (o Options) validated() (Options, error) {
	o.Trees = cmp.Or(o.Trees, DefaultTrees)
	o.Depth = cmp.Or(o.Depth, DefaultDepth)
	o.Window = cmp.Or(o.Window, DefaultWindow)
	o.Seed = cmp.Or(o.Seed, DefaultSeed)
	switch {
	case o.Trees < 1 || o.Trees > MaxTrees:
		return o, fmt.Errorf("trees %d out of range: must be 1..%d", o.Trees, MaxTrees)
	case o.Depth < 1 || o.Depth > MaxDepth:
		return o, fmt.Errorf("depth %d out of range: must be 1..%d", o.Depth, MaxDepth)
	case o.Window < MinWindow || o.Window > MaxWindow:
		return o, fmt.Errorf("window %d out of range: must be %d..%d", o.Window, MinWindow, MaxWindow)
	}
	return o, nil
}

// ParseParams builds Options from string parameters such as the CLI's
// --param trees=50. Keys are "trees", "depth", "window" and "seed"; values
// are integers (seed non-negative), 0 meaning the default. The result is
// validated, with defaults filled in.
func ParseParams(kv map[string]string) (Options, error) {
	var o Options
	err := params.Bind(kv, params.Fields{
		"trees":  params.Int(&o.Trees),
		"depth":  params.Int(&o.Depth),
		"window": params.Int(&o.Window),
		"seed":   params.Uint(&o.Seed),
	})
	if err != nil {
		return Options{}, err
	}
	return o.validated()
}
