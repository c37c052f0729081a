package agent

import (
	"testing"

	"github.com/pynomaly/pynomaly/agent/detectors"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// TestStreamable: a batch detector reaching a pipeline unwrapped (as a batch
// plugin does) is fitted on its first samples instead of refusing every
// point as not fitted; a streaming one passes through.
func TestStreamable(t *testing.T) {
	batch, _, err := detectors.Lookup("hbos", nil)
	if err != nil {
		t.Fatal(err)
	}
	f := streamable(batch)
	if f.Info().Kind != sdk.Streaming || f.Info().Name != "hbos" {
		t.Fatalf("streamable(hbos).Info() = %+v, want streaming hbos", f.Info())
	}
	d, err := f.New(1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range detectors.DefaultFitRows + 10 {
		if _, err := d.Score([]float64{float64(i % 7)}); err != nil {
			t.Fatalf("sample %d: %v", i, err)
		}
	}
	if s, err := d.Score([]float64{1e6}); err != nil || s < 0.99 {
		t.Errorf("outlier after fitting scores %v, %v; want near 1", s, err)
	}
	zs, err := detectors.Build("zscore", nil)
	if err != nil {
		t.Fatal(err)
	}
	if streamable(zs) != zs {
		t.Error("a streaming detector was wrapped")
	}
}
