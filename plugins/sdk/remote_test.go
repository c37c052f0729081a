package sdk_test

import (
	"errors"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
)

func TestConformanceOverGRPC(t *testing.T) {
	p, _ := sdk.ServeInMemory(t, centre{})
	sdktest.Run(t, p.Factory(), sdktest.Options{Points: 100})
}

func TestRemoteBatchDetector(t *testing.T) {
	p, _ := sdk.ServeInMemory(t, centre{})
	d, err := p.Factory().New(2)
	if err != nil {
		t.Fatal(err)
	}
	fitter, explainer := d.(sdk.Fitter), d.(sdk.Explainer)
	local, _ := centre{}.New(2)
	rows := [][]float64{{1, 2}, {3, 4}, {5, 0}}
	tests := []struct {
		name string
		call func() error
		want error // nil: the call must succeed
		says string
	}{
		{"Score before Fit", func() error { _, err := d.Score([]float64{1, 1}); return err }, sdk.ErrNotFitted, ""},
		{"Explain before Fit", func() error { _, err := explainer.Explain([]float64{1, 1}); return err }, sdk.ErrNotFitted, ""},
		{"Fit on a ragged row", func() error { return fitter.Fit([][]float64{{1, 2}, {3}}) }, sdk.ErrInvalidInput, "row 1"},
		{"Fit", func() error { return fitter.Fit(rows) }, nil, ""},
		{"Explain as in process", func() error { return sameExplain(local, rows, explainer) }, nil, ""},
		{"Explain NaN", func() error { _, err := explainer.Explain([]float64{1, nan()}); return err }, sdk.ErrInvalidInput, "value 1 is NaN"},
		{"Unmarshal junk", func() error { return d.UnmarshalBinary([]byte("CTR1 junk")) }, sdk.ErrBadSnapshot, ""},
		{"a panic fails the call", func() error { _, err := d.Score([]float64{42, 0}); return err }, errAny, "panicked"},
		{"the plugin serves on after a panic", func() error { _, err := d.Score([]float64{1, 1}); return err }, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("error %v", err)
			case tc.want == errAny && err == nil, tc.want != nil && tc.want != errAny && !errors.Is(err, tc.want):
				t.Fatalf("error %v, want one wrapping %v", err, tc.want)
			case err != nil && !strings.Contains(err.Error(), tc.says):
				t.Fatalf("error %q does not say %q", err, tc.says)
			}
		})
	}
}

var errAny = errors.New("any error")

func nan() float64 { var z float64; return z / z }

func sameExplain(local sdk.Detector, rows [][]float64, remote sdk.Explainer) error {
	if err := local.(sdk.Fitter).Fit(rows); err != nil {
		return err
	}
	x := []float64{7, -1}
	want, _ := local.(sdk.Explainer).Explain(x)
	got, err := remote.Explain(x)
	if err != nil || !slices.Equal(got, want) {
		return errors.Join(err, errors.New("remote Explain differs from in process"))
	}
	return nil
}

func TestCloseFreesTheInstance(t *testing.T) {
	p, live := sdk.ServeInMemory(t, centre{})
	d, err := p.Factory().New(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.(io.Closer).Close(); err != nil {
		t.Fatal(err)
	}
	if n := live(); n != 0 {
		t.Errorf("%d instances alive in the plugin after Close, want 0", n)
	}
	_, err = d.Score([]float64{1})
	if err == nil || errors.Is(err, sdk.ErrPluginExited) || !strings.Contains(err.Error(), "no detector instance") {
		t.Errorf("Score after Close: %v, want a no-such-instance error", err)
	}
}

func TestDroppedInstanceIsFreed(t *testing.T) {
	p, live := sdk.ServeInMemory(t, centre{})
	if _, err := p.Factory().New(1); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); live() > 0; {
		if time.Now().After(deadline) {
			t.Fatalf("%d instances still alive in the plugin after the host dropped them", live())
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}
