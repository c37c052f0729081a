package sdk_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func TestUnivariate(t *testing.T) {
	made := 0
	f := sdk.NewUnivariate("demo", "3", 42, func(o int) sdk.Detector {
		if o != 42 {
			t.Errorf("made with options %d", o)
		}
		made++
		return nil
	})
	if info := f.Info(); info != (sdk.Info{Name: "demo", Version: "3", Kind: sdk.Streaming, MaxDim: 1}) {
		t.Errorf("Info = %+v", info)
	}
	if f.Options() != 42 {
		t.Errorf("Options = %d", f.Options())
	}
	if _, err := f.New(2); !errors.Is(err, sdk.ErrInvalidInput) || !strings.Contains(err.Error(), "demo is univariate") {
		t.Errorf("New(2) = %v, want ErrInvalidInput naming the detector", err)
	}
	if _, err := f.New(1); err != nil || made != 1 {
		t.Errorf("New(1): %v, made %d", err, made)
	}
}
