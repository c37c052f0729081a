package sdk_test

import (
	"errors"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
)

func TestFitFirstConformance(t *testing.T) {
	for _, n := range []int{2, 50} {
		f, err := sdk.FitFirst(centre{}, n)
		if err != nil {
			t.Fatal(err)
		}
		sdktest.Run(t, f, sdktest.Options{})
	}
}

func TestFitFirstCollectsThenScores(t *testing.T) {
	f, err := sdk.FitFirst(centre{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if f.Info().Kind != sdk.Streaming || f.Info().Name != "centre" {
		t.Errorf("Info = %+v, want the inner name as a streaming detector", f.Info())
	}
	d, err := f.New(1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if s, err := d.Score([]float64{float64(i % 3)}); s != 0 || err != nil {
			t.Fatalf("sample %d while collecting: %v, %v; want 0, nil", i, s, err)
		}
	}
	if s, err := d.Score([]float64{100}); err != nil || s < 0.99 {
		t.Errorf("far point after fitting scores %v, %v; want near 1", s, err)
	}
	if s, _ := d.Score([]float64{1}); s > 0.5 {
		t.Errorf("typical point after fitting scores %v; want low", s)
	}
}

func TestFitFirstRejects(t *testing.T) {
	if _, err := sdk.FitFirst(centre{}, 1); !errors.Is(err, sdk.ErrInvalidInput) {
		t.Errorf("n=1: %v, want ErrInvalidInput", err)
	}
	streaming, err := sdk.FitFirst(centre{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sdk.FitFirst(streaming, 5); err == nil {
		t.Error("FitFirst of a streaming detector succeeded")
	}
}
