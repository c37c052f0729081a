package ewma_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/ewma"
	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
)

func TestConformance(t *testing.T) {
	sdktest.Run(t, mustFactory(t, ewma.Options{}), sdktest.Options{})
}
