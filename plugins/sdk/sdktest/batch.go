package sdktest

import (
	"bytes"
	"errors"
	"math"
	"slices"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// sentinel fills out beyond len(xs), to catch ScoreBatch writing past it:
// a NaN with a payload no arithmetic produces.
var sentinel = math.Float64frombits(0x7ff8_dead_beef_0001)

// checkBatchEqualsSingle checks ScoreBatch against Score on a twin: in
// chunks, stopping at a bad point, with too small an out, and empty.
func checkBatchEqualsSingle(e *env) {
	want := e.scoreAll(e.fresh(), e.xs)
	for _, size := range []int{1, 7, 64, len(e.xs)} {
		checkChunks(e, size, want)
	}
	const l = 10
	p := len(e.xs)/2 - l
	nan := slices.Clone(e.xs[p+4])
	nan[e.dim-1] = math.NaN()
	for _, b := range []struct {
		at int
		x  []float64
	}{{0, nil}, {4, nan}, {l - 1, append(slices.Clone(e.xs[0]), 1)}} {
		chunk := slices.Clone(e.xs[p : p+l])
		chunk[b.at] = b.x
		checkBatchStops(e, p, chunk, b.at)
	}
	checkShortOut(e, p, e.xs[p:p+l])
	checkEmptyBatch(e)
}

func cloneRows(xs [][]float64) [][]float64 {
	out := make([][]float64, len(xs))
	for i, x := range xs {
		out[i] = slices.Clone(x)
	}
	return out
}

// checkChunks scores the stream with ScoreBatch in chunks of size.
func checkChunks(e *env, size int, want []float64) {
	d := e.fresh()
	for start := 0; start < len(e.xs); start += size {
		chunk := cloneRows(e.xs[start:min(start+size, len(e.xs))])
		out := slices.Repeat([]float64{sentinel}, len(chunk)+2)
		n, err := call(func() (int, error) { return d.ScoreBatch(chunk, out) })
		if err != nil || n != len(chunk) {
			e.r.Errorf("chunks of %d, points %d..%d: ScoreBatch returned %d, %v; want %d, nil", size, start, start+len(chunk)-1, n, err, len(chunk))
			return
		}
		if i := firstDiff(out[:n], want[start:start+n]); i >= 0 {
			e.r.Errorf("chunks of %d: point %d scored %v in ScoreBatch, %v with Score one by one", size, start+i, out[i], want[start+i])
			return
		}
		if !same(out[n], sentinel) || !same(out[n+1], sentinel) {
			e.r.Errorf("chunks of %d, points %d..%d: ScoreBatch wrote past out[:len(xs)]", size, start, start+n-1)
			return
		}
	}
}

// checkBatchStops scores chunk, bad at index at, after the first p points.
func checkBatchStops(e *env, p int, chunk [][]float64, at int) {
	d, twin := e.after(p), e.after(p)
	out := make([]float64, len(chunk))
	n, err := call(func() (int, error) { return d.ScoreBatch(cloneRows(chunk), out) })
	if why := wrongErr(err, sdk.ErrInvalidInput); why != "" || n != at {
		e.r.Errorf("ScoreBatch with a bad point (%v) at index %d returned %d, %v; want %d and an error wrapping sdk.ErrInvalidInput", chunk[at], at, n, err, at)
		return
	}
	single := e.scoreAll(twin, chunk[:n])
	if i := firstDiff(out[:n], single); i >= 0 {
		e.r.Errorf("ScoreBatch stopping at index %d: index %d scored %v, Score one by one %v", at, i, out[i], single[i])
	}
	sameState(e, d, twin, "ScoreBatch stopped at a bad point at index %d", at)
}

// checkShortOut gives ScoreBatch room for one score less than it needs.
func checkShortOut(e *env, p int, chunk [][]float64) {
	d, twin := e.after(p), e.after(p)
	out := make([]float64, len(chunk)-1)
	n, err := call(func() (int, error) { return d.ScoreBatch(cloneRows(chunk), out) })
	var pe *panicked
	switch {
	case errors.As(err, &pe):
		e.r.Errorf("ScoreBatch of %d points into room for %d %v", len(chunk), len(out), pe)
		return
	case err == nil || n < 0 || n > len(out):
		e.r.Errorf("ScoreBatch of %d points into room for %d returned %d, %v; want an error and at most %d scored", len(chunk), len(out), n, err, len(out))
		return
	}
	e.scoreAll(twin, chunk[:n])
	sameState(e, d, twin, "ScoreBatch with a short out reported %d scored", n)
}

func checkEmptyBatch(e *env) {
	d, twin := e.after(10), e.after(10)
	if n, err := call(func() (int, error) { return d.ScoreBatch(nil, nil) }); n != 0 || err != nil {
		e.r.Errorf("ScoreBatch(nil, nil) returned %d, %v; want 0, nil", n, err)
	}
	sameState(e, d, twin, "ScoreBatch(nil, nil)")
}

// sameState checks d and twin have equal snapshots and score the next point
// alike.
func sameState(e *env, d, twin sdk.Detector, format string, args ...any) {
	e.r.Helper()
	if !bytes.Equal(e.snapshot(d), e.snapshot(twin)) {
		e.r.Errorf(format+": the state differs from an instance that scored only the points reported", args...)
	}
	x := e.xs[len(e.xs)-1]
	if got, want := e.score(d, x), e.score(twin, x); !same(got, want) {
		e.r.Errorf(format+": the next point scored %v, on an instance that scored only the points reported %v", append(args, got, want)...)
	}
}
