package hst_test

import (
	"fmt"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/hst"
	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
)

// TestConformance runs the suite with the default options, whose window
// swaps eight times in the suite's 2000-point stream, and with a small
// window, whose size limit is 1.
func TestConformance(t *testing.T) {
	for _, o := range []hst.Options{{}, {Window: 10, Trees: 3, Depth: 6}} {
		t.Run(fmt.Sprintf("window=%d", mustFactory(t, o).Options().Window), func(t *testing.T) {
			sdktest.Run(t, mustFactory(t, o), sdktest.Options{Dims: []int{1, 3, 8}})
		})
	}
}
