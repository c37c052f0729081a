// Command spike is an example external detector plugin: the spike
// detector served over go-plugin. Build it, put it where the agent finds
// its plugins, and name it in the agent's configuration; see README.md.
package main

import (
	"github.com/pynomaly/pynomaly/plugins/examples/spike/spike"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func main() { sdk.Serve(spike.Factory) }
