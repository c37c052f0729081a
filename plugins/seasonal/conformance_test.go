package seasonal_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
	"github.com/pynomaly/pynomaly/plugins/seasonal"
)

// TestConformance uses a short season so the suite's 2000-point stream
// runs well past the two warm-up seasons, and through many.
func TestConformance(t *testing.T) {
	sdktest.Run(t, mustFactory(t, seasonal.Options{Season: 24}), sdktest.Options{})
}
