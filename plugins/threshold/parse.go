package threshold

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
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
func Parse(name string, params map[string]string) (Policy, error) {
	p, err := parse(name, params)
	if err != nil {
		return nil, fmt.Errorf("threshold policy %s: %w", name, err)
	}
	return p, nil
}

func parse(name string, params map[string]string) (Policy, error) {
	switch name {
	case "fixed":
		var t float64
		if _, ok := params["threshold"]; !ok {
			return nil, fmt.Errorf("param threshold is required")
		}
		if err := setParams(params, map[string]any{"threshold": &t}); err != nil {
			return nil, err
		}
		return NewFixed(t)
	case "quantile":
		var o QuantileOptions
		if err := setParams(params, map[string]any{"q": &o.Q, "window": &o.Window, "min_samples": &o.MinSamples}); err != nil {
			return nil, err
		}
		return NewQuantile(o)
	case "spot", "dspot":
		return parseSPOT(name == "dspot", params)
	}
	return nil, fmt.Errorf("unknown policy (known: %s)", knownPolicies)
}

func parseSPOT(drift bool, params map[string]string) (Policy, error) {
	var o SPOTOptions
	fields := map[string]any{"risk": &o.Risk, "init": &o.Init, "level": &o.Level}
	if drift {
		fields["depth"] = &o.Depth
	}
	if err := setParams(params, fields); err != nil {
		return nil, err
	}
	if drift && o.Depth == 0 {
		o.Depth = DefaultDepth
	}
	return NewSPOT(o)
}

// setParams parses each param into the field its key names, in key order
// so that with several bad keys the error is always the same.
func setParams(params map[string]string, fields map[string]any) error {
	for _, key := range slices.Sorted(maps.Keys(params)) {
		dst, ok := fields[key]
		if !ok {
			known := strings.Join(slices.Sorted(maps.Keys(fields)), ", ")
			return fmt.Errorf("unknown param %q (known: %s)", key, known)
		}
		if err := setParam(key, params[key], dst); err != nil {
			return err
		}
	}
	return nil
}

func setParam(key, val string, dst any) error {
	switch d := dst.(type) {
	case *float64:
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return fmt.Errorf("param %s=%q: want a number", key, val)
		}
		*d = v
	case *int:
		v, err := strconv.Atoi(val)
		if err != nil {
			return fmt.Errorf("param %s=%q: want an integer", key, val)
		}
		*d = v
	}
	return nil
}
