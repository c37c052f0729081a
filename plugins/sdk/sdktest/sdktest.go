package sdktest

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Options tunes Run. Zero fields take their defaults.
type Options struct {
	// Dims are the dimensions instances are tested with, each 1..MaxDim.
	// Default: [1] when Info.MaxDim is 1, otherwise [1, 3] (capped at
	// MaxDim).
	Dims []int
	// Seed seeds every random stream the suite draws; default 1.
	Seed int64
	// Points is the length of the stream each check scores; at least 20,
	// default 2000.
	Points int
	// FitPoints is how many rows batch detectors are fitted on; default 512.
	FitPoints int
	// Data returns n rows of dim finite values drawn from rng (math/rand/v2).
	// Default: the data of Stream.
	Data func(rng *rand.Rand, dim int, n int) [][]float64
	// SkipConcurrency skips the concurrency check, e.g. for an external
	// plugin whose instances share one process by design.
	SkipConcurrency bool
}

// Run runs every conformance check on instances of f as a subtest of t.
// Checks do not depend on each other: one failing does not stop the next.
func Run(t *testing.T, f sdk.Factory, opts Options) {
	t.Helper()
	run(testReporter{t}, f, opts)
}

// reporter is the part of *testing.T the checks use; the self-test fakes it
// to assert which check catches which bug.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
	// Run runs fn as a subtest and waits for it.
	Run(name string, fn func(reporter)) bool
}

type testReporter struct{ *testing.T }

func (r testReporter) Run(name string, fn func(reporter)) bool {
	return r.T.Run(name, func(t *testing.T) { fn(testReporter{t}) })
}

// check is one conformance check, run once per dimension.
type check struct {
	name string
	fn   func(e *env)
	// skip returns why the check does not apply, or "".
	skip func(info sdk.Info, o Options) string
}

var checks = []check{
	{name: "score_range", fn: checkScoreRange},
	{name: "bad_input", fn: checkBadInput},
	{name: "deterministic", fn: checkDeterministic},
	{name: "snapshot_restore", fn: checkSnapshotRestore},
	{name: "batch_equals_single", fn: checkBatchEqualsSingle},
	{name: "fit_bad_input", fn: checkFitBadInput, skip: func(info sdk.Info, _ Options) string {
		if info.Kind != sdk.Batch {
			return "not a batch detector"
		}
		return ""
	}},
	{name: "explain", fn: checkExplain, skip: func(info sdk.Info, _ Options) string {
		if !info.Explains {
			return "Info.Explains is false"
		}
		return ""
	}},
	{name: "concurrency", fn: checkConcurrency, skip: func(_ sdk.Info, o Options) string {
		if o.SkipConcurrency {
			return "Options.SkipConcurrency is set"
		}
		return ""
	}},
}

func run(r reporter, f sdk.Factory, opts Options) {
	r.Helper()
	info := f.Info()
	o, err := opts.withDefaults(info)
	if err != nil {
		r.Fatalf("sdktest: %v", err)
	}
	r.Run("info", func(r reporter) { checkInfo(r, f, o) })
	for _, c := range checks {
		r.Run(c.name, func(r reporter) {
			if c.skip != nil {
				if why := c.skip(info, o); why != "" {
					r.Skipf("%s", why)
				}
			}
			for _, dim := range o.Dims {
				r.Run(fmt.Sprintf("dim=%d", dim), func(r reporter) {
					c.fn(newEnv(r, f, info, o, dim))
				})
			}
		})
	}
}

// withDefaults fills in zero fields and rejects options no check can use.
func (o Options) withDefaults(info sdk.Info) (Options, error) {
	if o.Dims == nil {
		o.Dims = defaultDims(info.MaxDim)
	}
	o.Dims = slices.Clone(o.Dims)
	for _, d := range o.Dims {
		if d < 1 || (info.MaxDim > 0 && d > info.MaxDim) {
			return o, fmt.Errorf("Options.Dims holds %d: want 1..%d (Info.MaxDim)", d, info.MaxDim)
		}
	}
	if len(o.Dims) == 0 {
		return o, errors.New("Options.Dims is empty: leave it nil for the default")
	}
	o.Seed = cmp.Or(o.Seed, 1)
	o.Points = cmp.Or(o.Points, 2000)
	o.FitPoints = cmp.Or(o.FitPoints, 512)
	if o.Points < 20 {
		return o, fmt.Errorf("Options.Points is %d: want at least 20, or 0 for 2000", o.Points)
	}
	if o.FitPoints < 1 {
		return o, fmt.Errorf("Options.FitPoints is %d: want at least 1, or 0 for 512", o.FitPoints)
	}
	if o.Data == nil {
		o.Data = defaultData
	}
	return o, nil
}

func defaultDims(maxDim int) []int {
	switch {
	case maxDim == 1:
		return []int{1}
	case maxDim == 2:
		return []int{1, 2}
	}
	return []int{1, 3}
}
