package agent

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// fakeSource hands out fakeFactory; its detectors fail Score with scoreErr.
type fakeSource struct {
	info     sdk.Info
	scoreErr error
	down     error // acquire fails with it
	reported []error
	made     []*fakeDetector
}

func (s *fakeSource) acquire() (sdk.Factory, func(error), error) {
	if s.down != nil {
		return nil, nil, s.down
	}
	return fakeFactory{s}, func(err error) { s.reported = append(s.reported, err) }, nil
}

type fakeFactory struct{ s *fakeSource }

func (f fakeFactory) Info() sdk.Info { return f.s.info }

func (f fakeFactory) New(int) (sdk.Detector, error) {
	d := &fakeDetector{err: f.s.scoreErr}
	f.s.made = append(f.s.made, d)
	return d, nil
}

type fakeDetector struct {
	err            error
	scored, closed int
}

func (d *fakeDetector) Score([]float64) (float64, error) { d.scored++; return 0.5, d.err }
func (d *fakeDetector) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	return sdk.ScoreEach(d, xs, out)
}
func (d *fakeDetector) MarshalBinary() ([]byte, error) { return nil, nil }
func (d *fakeDetector) UnmarshalBinary([]byte) error   { return nil }
func (d *fakeDetector) Close() error                   { d.closed++; return nil }

// TestPipelineFactoryLost: only errors saying the plugin is gone or hung
// mark a run's factory lost; once lost, no call reaches the plugin.
func TestPipelineFactoryLost(t *testing.T) {
	exited := fmt.Errorf("plugin /p: score: %w", sdk.ErrPluginExited)
	hung := fmt.Errorf("plugin /p: score: no answer within 10s: %w", context.DeadlineExceeded)
	refused := fmt.Errorf("value 0 is NaN: %w", sdk.ErrInvalidInput)
	tests := []struct {
		name     string
		scoreErr error
		wantLost bool
	}{
		{"ok", nil, false},
		{"value refused", refused, false},
		{"detector error", errors.New("overflow"), false},
		{"plugin exited", exited, true},
		{"plugin hung", hung, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := &fakeSource{info: sdk.Info{Name: "fake"}, scoreErr: tc.scoreErr}
			pf, err := newPipelineFactory(src)
			if err != nil {
				t.Fatal(err)
			}
			d, err := pf.New(1)
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				_, _ = d.Score([]float64{1})
			}
			if got := pf.Lost() != nil; got != tc.wantLost {
				t.Fatalf("Lost() = %v, want lost %v", pf.Lost(), tc.wantLost)
			}
			if !tc.wantLost {
				return
			}
			if !errors.Is(pf.Lost(), tc.scoreErr) || len(src.reported) != 1 {
				t.Errorf("Lost() = %v, reported %v; want the first error, reported once", pf.Lost(), src.reported)
			}
			if n := src.made[0].scored; n != 1 {
				t.Errorf("plugin called %d times, want 1: calls after the loss must fail at once", n)
			}
			if _, err := pf.New(1); !errors.Is(err, tc.scoreErr) {
				t.Errorf("New after the loss = %v, want the loss", err)
			}
		})
	}
}

func TestPipelineFactoryNew(t *testing.T) {
	src := &fakeSource{info: sdk.Info{Name: "fake", Version: "1"}}
	pf, err := newPipelineFactory(src)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := pf.New(1); err != nil {
			t.Fatal(err)
		}
	}
	pf.closeInstances()
	pf.closeInstances() // closes each instance once
	for i, d := range src.made {
		if d.closed != 1 {
			t.Errorf("instance %d closed %d times, want 1", i, d.closed)
		}
	}

	// A plugin relaunched as another detector version must not feed the
	// same pipeline: its alerts would carry the wrong detector.
	src.info.Version = "2"
	if _, err := pf.New(1); err == nil || pf.Lost() == nil {
		t.Errorf("New after the detector changed = %v, lost %v; want both", err, pf.Lost())
	}

	src.down = errors.New("plugin p not running")
	if _, err := newPipelineFactory(src); !errors.Is(err, src.down) {
		t.Errorf("newPipelineFactory with the plugin down = %v, want %v", err, src.down)
	}
}
