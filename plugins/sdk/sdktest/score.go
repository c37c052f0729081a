package sdktest

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// maxReports caps how many bad points a check lists before summing up.
const maxReports = 5

// checkScoreRange scores the stream and checks every score is in [0, 1].
func checkScoreRange(e *env) {
	d := e.raw()
	if e.info.Kind == sdk.Batch {
		checkNotFitted(e, d)
		checkFit(e, d)
	}
	bad, wrote := 0, false
	for i, x := range e.xs {
		in := slices.Clone(x)
		s, err := call(func() (float64, error) { return d.Score(in) })
		if err != nil {
			e.r.Fatalf("point %d %v: Score: %v", i, x, err)
		}
		if !wrote && !slices.Equal(in, x) {
			e.r.Errorf("point %d: Score changed its input from %v to %v; it must not write to x", i, x, in)
			wrote = true
		}
		if s >= 0 && s <= 1 {
			continue
		}
		if bad++; bad <= maxReports {
			e.r.Errorf("point %d %v: score %v, want a finite value in [0, 1]", i, x, s)
		}
	}
	if bad > maxReports {
		e.r.Errorf("%d of %d scores outside [0, 1], the first %d listed above", bad, len(e.xs), maxReports)
	}
}

// checkNotFitted checks that the unfitted batch instance d refuses to
// score.
func checkNotFitted(e *env, d sdk.Detector) {
	_, err := call(func() (float64, error) { return d.Score(slices.Clone(e.xs[0])) })
	if why := wrongErr(err, sdk.ErrNotFitted); why != "" {
		e.r.Errorf("Score before Fit %s; want an error wrapping sdk.ErrNotFitted", why)
	}
	out := make([]float64, 3)
	n, err := call(func() (int, error) { return d.ScoreBatch(cloneRows(e.xs[:3]), out) })
	if why := wrongErr(err, sdk.ErrNotFitted); why != "" || n != 0 {
		e.r.Errorf("ScoreBatch of 3 points before Fit returned %d, %v; want 0 and an error wrapping sdk.ErrNotFitted", n, err)
	}
}

// checkFit fits d on a copy of e.fit and checks Fit left the rows alone.
func checkFit(e *env, d sdk.Detector) {
	ft, ok := d.(sdk.Fitter)
	if !ok {
		e.r.Fatalf("Info.Kind is Batch but %T does not implement sdk.Fitter", d)
	}
	rows := cloneRows(e.fit)
	if err := do(func() error { return ft.Fit(rows) }); err != nil {
		e.r.Fatalf("Fit(%d rows of %d): %v", len(rows), e.dim, err)
	}
	for i := range rows {
		if !slices.Equal(rows[i], e.fit[i]) {
			e.r.Errorf("Fit changed row %d of its input from %v to %v; it must not write to xs", i, e.fit[i], rows[i])
			return
		}
	}
}

// badInput is a sample every detector must reject.
type badInput struct {
	name string
	x    []float64
}

// badInputs returns the rejects derived from the valid sample x.
func badInputs(x []float64) []badInput {
	dim := len(x)
	bad := []badInput{
		{"nil", nil},
		{"empty", []float64{}},
		{fmt.Sprintf("%d values", dim+1), append(slices.Clone(x), x[0])},
	}
	if dim > 1 {
		bad = append(bad, badInput{fmt.Sprintf("%d values", dim-1), slices.Clone(x[:dim-1])})
	}
	for i := range dim {
		for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			y := slices.Clone(x)
			y[i] = v
			bad = append(bad, badInput{fmt.Sprintf("%v at %d", v, i), y})
		}
	}
	return bad
}

// cuts returns distinct prefix lengths of an n-point stream, ascending.
func cuts(n int, at ...int) []int {
	var out []int
	for _, c := range at {
		out = append(out, max(0, min(c, n)))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// checkBadInput feeds each bad sample, after several prefixes, and checks
// it is rejected and changes nothing. After each bad sample one valid point
// goes to the instance and to an untouched twin, which must score it alike;
// both having learned the same point, they stay twins for the next one.
func checkBadInput(e *env) {
	n := len(e.xs)
	for _, cut := range cuts(n, 0, 10, n/2) {
		d, twin := e.after(cut), e.after(cut)
		for i, b := range badInputs(e.xs[cut%n]) {
			if !rejects(e, d, twin, cut, b, e.xs[(cut+i)%n]) {
				break
			}
		}
	}
}

// rejects checks d rejects b, then scores next as twin does. It returns
// false when d can no longer be compared with twin.
func rejects(e *env, d, twin sdk.Detector, cut int, b badInput, next []float64) bool {
	before := e.snapshot(d)
	_, err := call(func() (float64, error) { return d.Score(b.x) })
	if why := wrongErr(err, sdk.ErrInvalidInput); why != "" {
		e.r.Errorf("after %d points, Score(%s) %s; want an error wrapping sdk.ErrInvalidInput", cut, b.name, why)
	}
	var p *panicked
	if errors.As(err, &p) {
		return false // the state of a panicked instance is anyone's guess
	}
	if !bytes.Equal(e.snapshot(d), before) {
		e.r.Errorf("after %d points, rejected Score(%s) changed the snapshot; a rejected sample must leave the state unchanged", cut, b.name)
		return false
	}
	if got, want := e.score(d, next), e.score(twin, next); !same(got, want) {
		e.r.Errorf("after %d points and a rejected Score(%s), the next point scored %v; an instance that never saw the bad sample scored %v", cut, b.name, got, want)
		return false
	}
	return true
}

// checkDeterministic feeds the same stream to two fresh instances.
func checkDeterministic(e *env) {
	a, b := e.fresh(), e.fresh()
	if !bytes.Equal(e.snapshot(a), e.snapshot(b)) {
		e.r.Errorf("two fresh instances (fitted on the same rows, if batch) have different snapshots before scoring")
	}
	for i, x := range e.xs {
		if sa, sb := e.score(a, x), e.score(b, x); !same(sa, sb) {
			e.r.Errorf("point %d: two fresh instances fed the same stream scored %v and %v; scores must depend only on the data (no clock, global random source or map order)", i, sa, sb)
			return
		}
	}
	if !bytes.Equal(e.snapshot(a), e.snapshot(b)) {
		e.r.Errorf("after the same %d points, two instances have different snapshots; snapshots must be deterministic (no clock or map order)", len(e.xs))
	}
}
