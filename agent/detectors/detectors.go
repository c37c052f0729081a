// Package detectors is the agent's registry of built-in detectors: it turns
// a detector type and its string parameters into an sdk.Factory.
package detectors

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/zscore"
)

// Default is the detector used when none is configured.
const Default = "zscore"

type builder func(params map[string]string) (sdk.Factory, error)

var builtins = map[string]builder{
	"zscore": func(p map[string]string) (sdk.Factory, error) {
		opts, err := zscore.ParseParams(p)
		if err != nil {
			return nil, err
		}
		return zscore.New(opts)
	},
}

// Names lists the built-in detector types, sorted.
func Names() []string {
	names := make([]string, 0, len(builtins))
	for n := range builtins {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Build returns the factory for detector type name with params.
func Build(name string, params map[string]string) (sdk.Factory, error) {
	b, ok := builtins[name]
	if !ok {
		return nil, fmt.Errorf("unknown detector %q (built in: %s)", name, strings.Join(Names(), ", "))
	}
	f, err := b(params)
	if err != nil {
		return nil, fmt.Errorf("detector %s: %w", name, err)
	}
	return f, nil
}
