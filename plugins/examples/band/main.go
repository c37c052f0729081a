// Command band is an example external detector plugin with params: the
// band detector, which flags values outside [low, high]. See README.md.
package main

import (
	"github.com/pynomaly/pynomaly/plugins/examples/band/band"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func main() { sdk.ServeParams(band.New) }
