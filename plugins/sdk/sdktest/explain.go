package sdktest

import (
	"bytes"
	"math"
	"slices"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// checkExplain explains points along the stream and checks the values, that
// Explain does not learn, and that it rejects bad samples.
func checkExplain(e *env) {
	d, twin := e.fresh(), e.fresh()
	ex, ok := d.(sdk.Explainer)
	if !ok {
		e.r.Fatalf("Info.Explains is true but %T does not implement sdk.Explainer", d)
	}
	every := max(1, len(e.xs)/50)
	for i, x := range e.xs {
		if i%every == 0 || i == len(e.xs)-1 {
			explainOne(e, d, ex, i, x)
		}
		if got, want := e.score(d, x), e.score(twin, x); !same(got, want) {
			e.r.Errorf("point %d scored %v on an instance that was asked to Explain, %v on one that was not; Explain must not learn", i, got, want)
			return
		}
	}
	for _, b := range badInputs(e.xs[0]) {
		before := e.snapshot(d)
		_, err := call(func() ([]float64, error) { return ex.Explain(b.x) })
		if why := wrongErr(err, sdk.ErrInvalidInput); why != "" {
			e.r.Errorf("Explain(%s) %s; want an error wrapping sdk.ErrInvalidInput", b.name, why)
			continue
		}
		if !bytes.Equal(e.snapshot(d), before) {
			e.r.Errorf("rejected Explain(%s) changed the snapshot", b.name)
		}
	}
}

// explainOne explains x, point i of the stream, and checks the result.
func explainOne(e *env, d sdk.Detector, ex sdk.Explainer, i int, x []float64) {
	before := e.snapshot(d)
	in := slices.Clone(x)
	c, err := call(func() ([]float64, error) { return ex.Explain(in) })
	if err != nil {
		e.r.Fatalf("point %d %v: Explain: %v", i, x, err)
	}
	if len(c) != e.dim {
		e.r.Errorf("point %d: Explain returned %d values, want one per feature (%d)", i, len(c), e.dim)
	}
	for j, v := range c {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			e.r.Errorf("point %d %v: Explain gave feature %d the contribution %v, want finite and >= 0", i, x, j, v)
		}
	}
	if !slices.Equal(in, x) {
		e.r.Errorf("point %d: Explain changed its input from %v to %v; it must not write to x", i, x, in)
	}
	if !bytes.Equal(e.snapshot(d), before) {
		e.r.Errorf("point %d: Explain changed the snapshot; it must not learn", i)
	}
}
