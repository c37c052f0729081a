package iforest

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/internal/params"
)

// Defaults and limits of Options.
const (
	// DefaultTrees is the number of trees when Options.Trees is zero.
	DefaultTrees = 100
	// DefaultSampleSize is the subsample per tree when Options.SampleSize
	// is zero; the paper finds 256 enough for most data sets.
	DefaultSampleSize = 256
	// DefaultSeed is the random seed when Options.Seed is zero.
	DefaultSeed = 1
	// MaxTrees bounds fitting time and model size (16 bytes a node, up to
	// 2·SampleSize−1 nodes a tree).
	MaxTrees = 1000
	// MaxSampleSize bounds the same.
	MaxSampleSize = 1 << 16
	// MaxMaxDepth is the deepest a tree may grow; deeper than
	// log2(MaxSampleSize) splits nothing new.
	MaxMaxDepth = 64
)

// Options configures the detector. Zero fields take their defaults.
type Options struct {
	// Trees is the number of trees: 1..MaxTrees, default DefaultTrees.
	Trees int
	// SampleSize is the number of rows each tree is grown on, drawn without
	// replacement (all rows when Fit gets fewer): 2..MaxSampleSize, default
	// DefaultSampleSize.
	SampleSize int
	// Seed makes fitting deterministic: the same seed and rows give the
	// same model. 0 means DefaultSeed.
	Seed uint64
	// MaxDepth stops a branch at this depth: 1..MaxMaxDepth. 0 means
	// ceil(log2(ψ)), ψ the subsample actually used, as in the paper and
	// scikit-learn.
	MaxDepth int
}

// validated returns o with defaults filled in, or an error naming the first
// option out of range.
func (o Options) validated() (Options, error) {
	if o.Trees == 0 {
		o.Trees = DefaultTrees
	}
	if o.Trees < 1 || o.Trees > MaxTrees {
		return o, fmt.Errorf("trees %d out of range: must be 1..%d", o.Trees, MaxTrees)
	}
	if o.SampleSize == 0 {
		o.SampleSize = DefaultSampleSize
	}
	if o.SampleSize < 2 || o.SampleSize > MaxSampleSize {
		return o, fmt.Errorf("sample_size %d out of range: must be 2..%d", o.SampleSize, MaxSampleSize)
	}
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.MaxDepth < 0 || o.MaxDepth > MaxMaxDepth {
		return o, fmt.Errorf("max_depth %d out of range: must be 1..%d, or 0 for ceil(log2(sample_size))", o.MaxDepth, MaxMaxDepth)
	}
	return o, nil
}

// ParseParams builds Options from string parameters such as the CLI's
// --param trees=200. Keys are "trees", "sample_size", "seed" and
// "max_depth"; values are integers, 0 meaning the default. The result is
// validated, with defaults filled in.
func ParseParams(kv map[string]string) (Options, error) {
	var o Options
	err := params.Bind(kv, params.Fields{
		"trees":       params.Int(&o.Trees),
		"sample_size": params.Int(&o.SampleSize),
		"seed":        params.Uint(&o.Seed),
		"max_depth":   params.Int(&o.MaxDepth),
	})
	if err != nil {
		return Options{}, err
	}
	return o.validated()
}
