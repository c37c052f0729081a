package surprise_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
	"github.com/pynomaly/pynomaly/plugins/surprise"
)

// TestConformance streams past the longest seasonal lag (2,017 points), so
// the checks cover the seasonal model's state too.
func TestConformance(t *testing.T) {
	sdktest.Run(t, mustFactory(t, surprise.Options{}), sdktest.Options{Points: 2500})
}
