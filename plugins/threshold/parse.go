package threshold

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/internal/params"
)

// knownPolicies lists the names Parse accepts, sorted, for error messages.
const knownPolicies = "dspot, fixed, quantile, spot"

// Parse builds a policy from a name ("fixed", "quantile", "spot", "dspot")
// and string params, as a config's decision section gives them:
//
//	fixed     threshold (required)
//	quantile  q, window, min_samples
//	spot      risk, init, level
//	dspot     risk, init, level, depth (default DefaultDepth)
//
// Missing keys, and 0, take the defaults. Unknown names and keys give
// errors naming them and listing the known ones.
func Parse(name string, kv map[string]string) (Policy, error) {
	p, err := parse(name, kv)
	if err != nil {
		return nil, fmt.Errorf("threshold policy %s: %w", name, err)
	}
	return p, nil
}

func parse(name string, kv map[string]string) (Policy, error) {
	switch name {
	case "fixed":
		var t float64
		if _, ok := kv["threshold"]; !ok {
			return nil, fmt.Errorf("param threshold is required")
		}
		if err := params.Bind(kv, params.Fields{"threshold": params.Float(&t)}); err != nil {
			return nil, err
		}
		return NewFixed(t)
	case "quantile":
		var o QuantileOptions
		err := params.Bind(kv, params.Fields{
			"q":           params.Float(&o.Q),
			"window":      params.Int(&o.Window),
			"min_samples": params.Int(&o.MinSamples),
		})
		if err != nil {
			return nil, err
		}
		return NewQuantile(o)
	case "spot", "dspot":
		return parseSPOT(name == "dspot", kv)
	}
	return nil, fmt.Errorf("unknown policy (known: %s)", knownPolicies)
}

func parseSPOT(drift bool, kv map[string]string) (Policy, error) {
	var o SPOTOptions
	fields := params.Fields{"risk": params.Float(&o.Risk), "init": params.Int(&o.Init), "level": params.Float(&o.Level)}
	if drift {
		fields["depth"] = params.Int(&o.Depth)
	}
	if err := params.Bind(kv, fields); err != nil {
		return nil, err
	}
	if drift && o.Depth == 0 {
		o.Depth = DefaultDepth
	}
	return NewSPOT(o)
}
