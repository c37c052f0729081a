// Package band is the detector of the second example plugin, one with
// params: it flags values outside a fixed band [low, high], the range an
// operator knows a sensor must stay in.
package band

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// New builds the detector from its params, low and high, both required,
// with low < high. A value inside the band scores 0; outside, at least
// 0.999 (so the agent's default threshold flags any excursion), nearer 1
// the farther out, a band's width out scoring 0.99963.
func New(params map[string]string) (sdk.Factory, error) {
	var low, high float64
	bounds := map[string]*float64{"low": &low, "high": &high}
	for _, key := range slices.Sorted(maps.Keys(params)) {
		dst, ok := bounds[key]
		if !ok {
			return nil, fmt.Errorf("unknown param %q (known: high, low)", key)
		}
		v, err := strconv.ParseFloat(params[key], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("param %s=%q: want a finite number", key, params[key])
		}
		*dst = v
	}
	_, hasLow := params["low"]
	_, hasHigh := params["high"]
	switch {
	case !hasLow || !hasHigh:
		return nil, errors.New("params low and high are required")
	case !(low < high):
		return nil, fmt.Errorf("low %v must be below high %v", low, high)
	}
	width := high - low
	return sdk.MustStream(sdk.Info{Name: "band", Version: "1", MaxDim: 1}, func(_ *struct{}, x []float64) float64 {
		out := max(low-x[0], x[0]-high)
		if out <= 0 {
			return 0
		}
		return 0.999 + 0.001*(1-math.Exp(-out/width))
	}), nil
}
