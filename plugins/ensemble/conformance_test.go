package ensemble_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/plugins/ensemble"
	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
)

func TestConformance(t *testing.T) {
	for _, opts := range []ensemble.Options{
		{Method: ensemble.Mean},
		{Method: ensemble.Max},
		{Method: ensemble.Rank},
		// A small window wraps around many times within the suite's stream.
		{Method: ensemble.Rank, RankWindow: 10},
	} {
		t.Run(string(opts.Method), func(t *testing.T) {
			sdktest.Run(t, zscoreEWMA(t, opts), sdktest.Options{})
		})
	}
}
