// Package detectors is the agent's registry of built-in detectors: it turns
// a detector type and its string parameters into an sdk.Factory.
package detectors

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pynomaly/pynomaly/plugins/ensemble"
	"github.com/pynomaly/pynomaly/plugins/ewma"
	"github.com/pynomaly/pynomaly/plugins/hbos"
	"github.com/pynomaly/pynomaly/plugins/hst"
	"github.com/pynomaly/pynomaly/plugins/iforest"
	"github.com/pynomaly/pynomaly/plugins/kmeans"
	"github.com/pynomaly/pynomaly/plugins/pca"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/seasonal"
	"github.com/pynomaly/pynomaly/plugins/surprise"
	"github.com/pynomaly/pynomaly/plugins/zscore"
)

// Default is the detector used when none is configured.
const Default = "zscore"

// FitRowsParam is the parameter of batch detectors saying how many samples
// of a series to fit on before scoring it; DefaultFitRows when absent.
const (
	FitRowsParam   = "fit_rows"
	DefaultFitRows = 1000
)

type builder func(params map[string]string) (sdk.Factory, error)

// entry adapts a detector package's ParseParams and New to a builder.
func entry[O any, F sdk.Factory](parse func(map[string]string) (O, error), build func(O) (F, error)) builder {
	return func(p map[string]string) (sdk.Factory, error) {
		o, err := parse(p)
		if err != nil {
			return nil, err
		}
		return build(o)
	}
}

var builtins = map[string]builder{
	zscore.Name:   entry(zscore.ParseParams, zscore.New),
	ewma.Name:     entry(ewma.ParseParams, ewma.New),
	seasonal.Name: entry(seasonal.ParseParams, seasonal.New),
	hst.Name:      entry(hst.ParseParams, hst.New),
	iforest.Name:  entry(iforest.ParseParams, iforest.New),
	hbos.Name:     entry(hbos.ParseParams, hbos.New),
	pca.Name:      entry(pca.ParseParams, pca.New),
	kmeans.Name:   entry(kmeans.ParseParams, kmeans.New),
	surprise.Name: entry(surprise.ParseParams, surprise.New),
}

// Ensemble is the type of a detector combining others, its members.
const Ensemble = ensemble.Name

// Spec is a detector as configured: its type, params and, for an
// ensemble, its members.
type Spec struct {
	Type    string
	Params  map[string]string
	Members []Spec
}

// Names lists the built-in detector types, sorted.
func Names() []string {
	names := make([]string, 0, len(builtins)+1)
	for n := range builtins {
		names = append(names, n)
	}
	names = append(names, Ensemble)
	sort.Strings(names)
	return names
}

// BuildSpec is Build for a Spec: an ensemble gets its members, each built
// (a batch member fitted on its own fit_rows first), and combined by the
// ensemble's params.
func BuildSpec(s Spec) (sdk.Factory, error) {
	if s.Type != Ensemble {
		if len(s.Members) > 0 {
			return nil, fmt.Errorf("members: detector %s is not an ensemble; only type %s takes members", s.Type, Ensemble)
		}
		return Build(s.Type, s.Params)
	}
	opts, err := ensemble.ParseParams(s.Params)
	if err != nil {
		return nil, fmt.Errorf("detector %s: %w", Ensemble, err)
	}
	if len(s.Members) < ensemble.MinMembers {
		return nil, fmt.Errorf("detector %s: members: %d listed, want at least %d", Ensemble, len(s.Members), ensemble.MinMembers)
	}
	members := make([]sdk.Factory, len(s.Members))
	for i, m := range s.Members {
		if members[i], err = BuildSpec(m); err != nil {
			return nil, fmt.Errorf("members[%d]: %w", i, err)
		}
	}
	f, err := ensemble.New(opts, members...)
	if err != nil {
		return nil, fmt.Errorf("detector %s: %w", Ensemble, err)
	}
	return f, nil
}

// Lookup returns the detector as it is (a batch detector unfitted) and,
// for batch detectors, the fit_rows parameter, removed from params before
// the detector sees them.
func Lookup(name string, params map[string]string) (f sdk.Factory, fitRows int, err error) {
	if name == Ensemble {
		return nil, 0, fmt.Errorf("detector %s: give its members (an ensemble is built with BuildSpec)", Ensemble)
	}
	b, ok := builtins[name]
	if !ok {
		return nil, 0, fmt.Errorf("unknown detector %q (built in: %s)", name, strings.Join(Names(), ", "))
	}
	rest, fitRows, err := splitFitRows(params)
	if err != nil {
		return nil, 0, fmt.Errorf("detector %s: %w", name, err)
	}
	if f, err = b(rest); err != nil {
		return nil, 0, fmt.Errorf("detector %s: %w", name, err)
	}
	if f.Info().Kind != sdk.Batch {
		if _, set := params[FitRowsParam]; set {
			return nil, 0, fmt.Errorf("detector %s: %s applies to batch detectors only; %s learns as it scores", name, FitRowsParam, name)
		}
		return f, 0, nil
	}
	return f, fitRows, nil
}

// Build returns the detector ready for a live stream: a batch detector is
// wrapped to fit on the first fit_rows samples of each series.
func Build(name string, params map[string]string) (sdk.Factory, error) {
	f, fitRows, err := Lookup(name, params)
	if err != nil || f.Info().Kind != sdk.Batch {
		return f, err
	}
	return sdk.FitFirst(f, fitRows)
}

func splitFitRows(params map[string]string) (map[string]string, int, error) {
	v, ok := params[FitRowsParam]
	if !ok {
		return params, DefaultFitRows, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 2 {
		return nil, 0, fmt.Errorf("%s %q: want an integer of at least 2", FitRowsParam, v)
	}
	rest := make(map[string]string, len(params)-1)
	for k, v := range params {
		if k != FitRowsParam {
			rest[k] = v
		}
	}
	return rest, n, nil
}
