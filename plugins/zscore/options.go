package zscore

import (
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/internal/params"
)

// Defaults and limits of Options.
const (
	// DefaultWindow is the window used when Options.Window is zero.
	DefaultWindow = 256
	// DefaultMinSamples is the warm-up used when Options.MinSamples is zero,
	// capped at the window.
	DefaultMinSamples = 32
	// MinWindow is the smallest window: a median and MAD over fewer values
	// are too noisy to call anything an outlier.
	MinWindow = 8
	// MaxWindow bounds memory (up to 10 bytes per slot per series) and the
	// O(Window) cost of each point.
	MaxWindow = 1 << 16
)

// Options configures the detector. Zero fields take their defaults.
type Options struct {
	// Window is the number of most recent values the median and MAD are
	// taken over: MinWindow..MaxWindow, default DefaultWindow.
	Window int
	// MinSamples is the number of values seen before scoring starts; Score
	// returns 0 until then. 2..Window, default DefaultMinSamples.
	MinSamples int
}

// validated returns o with defaults filled in, or an error naming the first
// option out of range.
func (o Options) validated() (Options, error) {
	if o.Window == 0 {
		o.Window = DefaultWindow
	}
	if o.Window < MinWindow || o.Window > MaxWindow {
		return o, fmt.Errorf("window %d out of range: must be %d..%d", o.Window, MinWindow, MaxWindow)
	}
	if o.MinSamples == 0 {
		o.MinSamples = min(DefaultMinSamples, o.Window)
	}
	if o.MinSamples < 2 || o.MinSamples > o.Window {
		return o, fmt.Errorf("min_samples %d out of range: must be 2..window (%d)", o.MinSamples, o.Window)
	}
	return o, nil
}

// ParseParams builds Options from string parameters such as the CLI's
// --param window=128. Keys are "window" and "min_samples"; values are
// integers, 0 meaning the default. The result is validated, with defaults
// filled in.
func ParseParams(kv map[string]string) (Options, error) {
	var o Options
	err := params.Bind(kv, params.Fields{
		"window":      params.Int(&o.Window),
		"min_samples": params.Int(&o.MinSamples),
	})
	if err != nil {
		return Options{}, err
	}
	return o.validated()
}
