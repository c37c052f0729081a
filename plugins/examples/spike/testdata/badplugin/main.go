// Command badplugin is a plugin gone wrong, for the launch tests; build it
// with -ldflags "-X main.mode=MODE".
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/pynomaly/pynomaly/plugins/examples/spike/spike"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

var mode string

func main() {
	switch mode {
	case "version": // built against a future protocol version
		sdk.Handshake.ProtocolVersion = sdk.ProtocolVersion + 1
	case "cookie": // another program's go-plugin handshake
		sdk.Handshake.MagicCookieKey, sdk.Handshake.MagicCookieValue = "OTHER_PLUGIN", "x"
	case "garbage": // not a plugin: prints something else
		fmt.Println("hello, world")
		time.Sleep(time.Minute)
		return
	case "silent": // not a plugin: says nothing
		time.Sleep(time.Minute)
		return
	case "crash": // dies on its first call
		sdk.Serve(crashing{spike.Factory})
		return
	default:
		fmt.Fprintf(os.Stderr, "unknown mode %q\n", mode)
		os.Exit(2)
	}
	sdk.Serve(spike.Factory)
}

type crashing struct{ sdk.Factory }

func (crashing) New(int) (sdk.Detector, error) { os.Exit(3); return nil, nil }
