package sdktest

import (
	"bytes"
	"fmt"
	"math"
	"slices"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// checkFitBadInput fits a batch instance, then offers Fit sets it must
// refuse: none at all, and a good set spoiled by one bad row. Each must
// fail with sdk.ErrInvalidInput, without a panic, leaving the fitted model
// as it was.
func checkFitBadInput(e *env) {
	d := e.raw()
	e.fitOn(d, e.fit)
	before := e.snapshot(d)
	for _, b := range badFits(e.fit, e.dim) {
		err := do(func() error { return d.(sdk.Fitter).Fit(b.rows) })
		if why := wrongErr(err, sdk.ErrInvalidInput); why != "" {
			e.r.Errorf("Fit(%s) %s; want an error wrapping sdk.ErrInvalidInput", b.name, why)
			continue
		}
		if !bytes.Equal(e.snapshot(d), before) {
			e.r.Errorf("rejected Fit(%s) changed the model; a refused fit must keep the last good one", b.name)
		}
	}
}

type badFit struct {
	name string
	rows [][]float64
}

// badFits returns the refusable Fit sets built from the good rows.
func badFits(good [][]float64, dim int) []badFit {
	spoil := func(name string, row []float64) badFit {
		rows := cloneRows(good)
		rows[len(rows)/2] = row
		return badFit{name: fmt.Sprintf("rows with %s in the middle", name), rows: rows}
	}
	nan := slices.Repeat([]float64{0}, dim)
	nan[dim-1] = math.NaN()
	inf := slices.Repeat([]float64{0}, dim)
	inf[0] = math.Inf(-1)
	fits := []badFit{
		{name: "nil", rows: nil},
		{name: "no rows", rows: [][]float64{}},
		spoil("a nil row", nil),
		spoil("a row one value too long", make([]float64, dim+1)),
		spoil("a NaN", nan),
		spoil("a -Inf", inf),
	}
	if dim > 1 {
		fits = append(fits, spoil("a row one value too short", make([]float64, dim-1)))
	}
	return fits
}
