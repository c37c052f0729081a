package agent

import "github.com/pynomaly/pynomaly/plugins/sdk"

// guarded is a detector made by a pipelineFactory: once the factory is
// lost, its calls fail at once (a hung plugin would otherwise cost a call
// timeout per point); a call that finds the plugin gone marks it lost.
type guarded struct {
	d      sdk.Detector
	f      *pipelineFactory
	report func(error)
}

// The guarded detector keeps the optional interfaces of the one it wraps.
type (
	guardedFitter       struct{ *guarded }
	guardedExplainer    struct{ *guarded }
	guardedFitExplainer struct{ *guarded }
)

func guard(g *guarded) sdk.Detector {
	_, fits := g.d.(sdk.Fitter)
	_, explains := g.d.(sdk.Explainer)
	switch {
	case fits && explains:
		return guardedFitExplainer{g}
	case fits:
		return guardedFitter{g}
	case explains:
		return guardedExplainer{g}
	}
	return g
}

func (g *guarded) Score(x []float64) (float64, error) {
	if g.f.lost != nil {
		return 0, g.f.lost
	}
	s, err := g.d.Score(x)
	return s, g.f.check(err, g.report)
}

func (g *guarded) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	if g.f.lost != nil {
		return 0, g.f.lost
	}
	n, err := g.d.ScoreBatch(xs, out)
	return n, g.f.check(err, g.report)
}

func (g *guarded) MarshalBinary() ([]byte, error) {
	if g.f.lost != nil {
		return nil, g.f.lost
	}
	b, err := g.d.MarshalBinary()
	return b, g.f.check(err, g.report)
}

func (g *guarded) UnmarshalBinary(data []byte) error {
	if g.f.lost != nil {
		return g.f.lost
	}
	return g.f.check(g.d.UnmarshalBinary(data), g.report)
}

func (g *guarded) fit(xs [][]float64) error {
	if g.f.lost != nil {
		return g.f.lost
	}
	return g.f.check(g.d.(sdk.Fitter).Fit(xs), g.report)
}

func (g *guarded) explain(x []float64) ([]float64, error) {
	if g.f.lost != nil {
		return nil, g.f.lost
	}
	c, err := g.d.(sdk.Explainer).Explain(x)
	return c, g.f.check(err, g.report)
}

func (g guardedFitter) Fit(xs [][]float64) error                     { return g.fit(xs) }
func (g guardedExplainer) Explain(x []float64) ([]float64, error)    { return g.explain(x) }
func (g guardedFitExplainer) Fit(xs [][]float64) error               { return g.fit(xs) }
func (g guardedFitExplainer) Explain(x []float64) ([]float64, error) { return g.explain(x) }
