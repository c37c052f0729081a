// Command hangplugin is a detector plugin whose Score never answers, for
// the agent's call-timeout tests.
package main

import (
	"github.com/pynomaly/pynomaly/plugins/examples/spike/spike"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func main() { sdk.Serve(factory{spike.Factory}) }

type factory struct{ sdk.Factory }

func (f factory) New(dim int) (sdk.Detector, error) {
	d, err := f.Factory.New(dim)
	return hanging{d}, err
}

type hanging struct{ sdk.Detector }

func (hanging) Score([]float64) (float64, error) { select {} }
