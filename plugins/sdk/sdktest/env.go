package sdktest

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"slices"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// env is what one check needs for one dimension. Its helpers fail the
// check (Fatalf) when the detector errs where it must not; they must not be
// called from goroutines other than the check's.
type env struct {
	r    reporter
	f    sdk.Factory
	info sdk.Info
	o    Options
	dim  int
	xs   [][]float64 // the stream every check scores
	fit  [][]float64 // rows fresh batch instances are fitted on
}

func newEnv(r reporter, f sdk.Factory, info sdk.Info, o Options, dim int) *env {
	e := &env{r: r, f: f, info: info, o: o, dim: dim}
	e.xs = e.data(streamMain, o.Points)
	e.fit = e.data(streamFit, o.FitPoints)
	return e
}

// data draws n rows from Options.Data and checks them, so that a bad
// generator is not blamed on the detector.
func (e *env) data(stream uint64, n int) [][]float64 {
	rows := e.o.Data(newRand(e.o.Seed, stream), e.dim, n)
	if len(rows) != n {
		e.r.Fatalf("Options.Data returned %d rows, want %d", len(rows), n)
	}
	for i, x := range rows {
		if err := sdk.CheckPoint(x, e.dim); err != nil {
			e.r.Fatalf("Options.Data row %d: %v", i, err)
		}
	}
	return rows
}

// raw returns New(dim), never fitted.
func (e *env) raw() sdk.Detector {
	d, err := call(func() (sdk.Detector, error) { return e.f.New(e.dim) })
	if err != nil {
		e.r.Fatalf("New(%d): %v", e.dim, err)
	}
	if d == nil {
		e.r.Fatalf("New(%d) returned a nil Detector and no error", e.dim)
	}
	return d
}

// fresh returns New(dim), fitted on e.fit for batch detectors.
func (e *env) fresh() sdk.Detector {
	d := e.raw()
	if e.info.Kind == sdk.Batch {
		e.fitOn(d, e.fit)
	}
	return d
}

// fitOn fits d on a copy of rows: score_range alone reports a Fit that
// writes to its input.
func (e *env) fitOn(d sdk.Detector, rows [][]float64) {
	ft, ok := d.(sdk.Fitter)
	if !ok {
		e.r.Fatalf("Info.Kind is Batch but %T does not implement sdk.Fitter", d)
	}
	rows = cloneRows(rows)
	if err := do(func() error { return ft.Fit(rows) }); err != nil {
		e.r.Fatalf("Fit(%d rows of %d): %v", len(rows), e.dim, err)
	}
}

// after returns a fresh instance that has scored xs[:n].
func (e *env) after(n int) sdk.Detector {
	d := e.fresh()
	e.scoreAll(d, e.xs[:n])
	return d
}

// score scores a copy of x: score_range alone reports a detector that
// writes to its input, and the other checks' streams stay intact.
func (e *env) score(d sdk.Detector, x []float64) float64 {
	x = slices.Clone(x)
	s, err := call(func() (float64, error) { return d.Score(x) })
	if err != nil {
		e.r.Fatalf("Score(%v): %v", x, err)
	}
	return s
}

func (e *env) scoreAll(d sdk.Detector, xs [][]float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = e.score(d, x)
	}
	return out
}

func (e *env) snapshot(d sdk.Detector) []byte {
	b, err := call(d.MarshalBinary)
	if err != nil {
		e.r.Fatalf("MarshalBinary: %v", err)
	}
	return b
}

// panicked is the error call returns when the detector panicked.
type panicked struct {
	val   any
	stack []byte
}

func (p *panicked) Error() string { return fmt.Sprintf("panicked: %v\n%s", p.val, p.stack) }

// panicFrames is how many stack frames below the panic a report shows.
const panicFrames = 4

// trimStack keeps the frames of debug.Stack that led to the panic, dropping
// the recovery machinery above it and the suite's frames far below.
func trimStack(stack []byte) []byte {
	lines := bytes.Split(stack, []byte("\n"))
	for i, l := range lines {
		if bytes.HasPrefix(l, []byte("panic(")) {
			lines = lines[min(i+2, len(lines)):]
			break
		}
	}
	return bytes.Join(lines[:min(2*panicFrames, len(lines))], []byte("\n"))
}

// call runs fn, turning a panic into a *panicked error.
func call[T any](fn func() (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicked{val: p, stack: trimStack(debug.Stack())}
		}
	}()
	return fn()
}

func do(fn func() error) error {
	_, err := call(func() (struct{}, error) { return struct{}{}, fn() })
	return err
}

// wrongErr says how err fails to wrap target, or returns "" when it does.
func wrongErr(err, target error) string {
	var p *panicked
	switch {
	case errors.As(err, &p):
		return p.Error()
	case err == nil:
		return "returned no error"
	case !errors.Is(err, target):
		return fmt.Sprintf("returned %q, which does not wrap %s", err, sentinelName(target))
	}
	return ""
}

func sentinelName(err error) string {
	switch err {
	case sdk.ErrInvalidInput:
		return "sdk.ErrInvalidInput"
	case sdk.ErrBadSnapshot:
		return "sdk.ErrBadSnapshot"
	case sdk.ErrNotFitted:
		return "sdk.ErrNotFitted"
	}
	return err.Error()
}

// same reports whether a and b are the same float64, bit for bit.
func same(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }

// firstDiff returns the first index where got and want differ bitwise, or -1.
func firstDiff(got, want []float64) int {
	for i := range min(len(got), len(want)) {
		if !same(got[i], want[i]) {
			return i
		}
	}
	if len(got) != len(want) {
		return min(len(got), len(want))
	}
	return -1
}
