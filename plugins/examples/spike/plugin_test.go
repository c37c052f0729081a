package main

import (
	"errors"
	"math"
	"os"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/plugins/examples/spike/spike"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
)

func TestConformanceOverPlugin(t *testing.T) {
	sdktest.Run(t, launch(t, "").Factory(), sdktest.Options{Points: 200})
}

func TestSameScoresInAndOutOfProcess(t *testing.T) {
	p := launch(t, "")
	if got, want := p.Factory().Info(), spike.Factory.Info(); got != want {
		t.Errorf("Info over the plugin = %+v, in process %+v", got, want)
	}
	xs := series(2000)
	want := scoreAll(t, newDetector(t, spike.Factory), xs)
	if got := scoreAll(t, newDetector(t, p.Factory()), xs); !equal(got, want) {
		t.Errorf("Score over the plugin differs from in process")
	}
	d, got := newDetector(t, p.Factory()), make([]float64, len(xs))
	for i := 0; i < len(xs); i += 300 { // uneven batches, the last one short
		j := min(i+300, len(xs))
		if n, err := d.ScoreBatch(xs[i:j], got[i:j]); n != j-i || err != nil {
			t.Fatalf("ScoreBatch(points %d..%d) = %d, %v", i, j, n, err)
		}
	}
	if !equal(got, want) {
		t.Errorf("ScoreBatch over the plugin differs from Score in process")
	}
}

func TestSnapshotAcrossTheBoundary(t *testing.T) {
	p := launch(t, "")
	xs, cut := series(1000), 600
	want := scoreAll(t, newDetector(t, spike.Factory), xs)
	tests := []struct{ name, from, into string }{
		{"plugin to in process", "plugin", "in process"},
		{"in process to plugin", "in process", "plugin"},
		{"plugin to plugin", "plugin", "plugin"},
	}
	factories := map[string]sdk.Factory{"plugin": p.Factory(), "in process": spike.Factory}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			from := newDetector(t, factories[tc.from])
			scoreAll(t, from, xs[:cut])
			blob, err := from.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			into := newDetector(t, factories[tc.into])
			if err := into.UnmarshalBinary(blob); err != nil {
				t.Fatal(err)
			}
			if got := scoreAll(t, into, xs[cut:]); !equal(got, want[cut:]) {
				t.Errorf("restored instance scores differently from the original")
			}
		})
	}
}

func TestErrorsCrossTheBoundary(t *testing.T) {
	f := launch(t, "").Factory()
	d := newDetector(t, f)
	nan := []float64{math.NaN()}
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"Score NaN", func() error { _, err := d.Score(nan); return err }, sdk.ErrInvalidInput},
		{"Score +Inf", func() error { _, err := d.Score([]float64{math.Inf(1)}); return err }, sdk.ErrInvalidInput},
		{"Score two values", func() error { _, err := d.Score([]float64{1, 2}); return err }, sdk.ErrInvalidInput},
		{"Score empty", func() error { _, err := d.Score(nil); return err }, sdk.ErrInvalidInput},
		{"New dim 2", func() error { _, err := f.New(2); return err }, sdk.ErrInvalidInput},
		{"Unmarshal junk", func() error { return d.UnmarshalBinary([]byte("junk")) }, sdk.ErrBadSnapshot},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Errorf("error %v, want one wrapping %v", err, tc.want)
			}
		})
	}
}

// A batch stops at its first bad point, after the plugin scored the ones
// before, exactly as in process; a point of the wrong length is cut on the
// host side, NaN in the plugin.
func TestScoreBatchStopsAtTheBadPoint(t *testing.T) {
	p := launch(t, "")
	for _, bad := range [][]float64{{math.NaN()}, {1, 2}} {
		xs := append(series(10), bad, []float64{3})
		in, out := newDetector(t, spike.Factory), newDetector(t, p.Factory())
		wantScores, gotScores := make([]float64, len(xs)), make([]float64, len(xs))
		wantN, wantErr := in.ScoreBatch(xs, wantScores)
		gotN, gotErr := out.ScoreBatch(xs, gotScores)
		if gotN != wantN || !errors.Is(gotErr, sdk.ErrInvalidInput) || !equal(gotScores, wantScores) {
			t.Errorf("bad point %v: plugin ScoreBatch = %d, %v, %v; in process %d, %v, %v",
				bad, gotN, gotErr, gotScores, wantN, wantErr, wantScores)
		}
		if gotErr != nil && wantErr != nil && gotErr.Error() != wantErr.Error() {
			t.Errorf("bad point %v: plugin error %q, in process %q", bad, gotErr, wantErr)
		}
	}
}

func TestDeadPluginFailsCalls(t *testing.T) {
	tests := []struct {
		name string
		mode string
		kill func(t *testing.T, p *sdk.Plugin)
	}{
		{"SIGKILL", "", func(t *testing.T, p *sdk.Plugin) {
			proc, err := os.FindProcess(p.PID())
			if err != nil || proc.Kill() != nil {
				t.Fatalf("kill plugin process %d: %v", p.PID(), err)
			}
		}},
		{"Kill", "", func(_ *testing.T, p *sdk.Plugin) { p.Kill() }},
		{"exits during a call", "crash", func(t *testing.T, p *sdk.Plugin) {
			if _, err := p.Factory().New(1); !errors.Is(err, sdk.ErrPluginExited) {
				t.Fatalf("New on a plugin that exits in New: %v, want ErrPluginExited", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := launch(t, tc.mode)
			var d sdk.Detector
			if tc.mode == "" {
				d = newDetector(t, p.Factory())
			}
			tc.kill(t, p)
			for name, call := range deadCalls(p, d) {
				if err := within(t, 10*time.Second, call); !errors.Is(err, sdk.ErrPluginExited) {
					t.Errorf("%s after the plugin died: %v, want ErrPluginExited", name, err)
				}
			}
			if !p.Exited() {
				t.Error("Exited() = false after calls failed with ErrPluginExited")
			}
		})
	}
}

// deadCalls are calls on a dead plugin's factory and, if not nil, instance.
func deadCalls(p *sdk.Plugin, d sdk.Detector) map[string]func() error {
	calls := map[string]func() error{
		"New": func() error { _, err := p.Factory().New(1); return err },
	}
	if d != nil {
		calls["Score"] = func() error { _, err := d.Score([]float64{1}); return err }
		calls["ScoreBatch"] = func() error { _, err := d.ScoreBatch(series(8), make([]float64, 8)); return err }
		calls["MarshalBinary"] = func() error { _, err := d.MarshalBinary(); return err }
	}
	return calls
}

// within runs call and fails the test if it does not return within d: a
// dead plugin must fail calls, not hang them.
func within(t *testing.T, d time.Duration, call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("call on a dead plugin still blocked after %s", d)
		return nil
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}
