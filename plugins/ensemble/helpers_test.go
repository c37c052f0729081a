package ensemble_test

import (
	"encoding/binary"
	"fmt"
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/ensemble"
	"github.com/pynomaly/pynomaly/plugins/ewma"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/zscore"
)

func mustFactory(tb testing.TB, opts ensemble.Options, members ...sdk.Factory) *ensemble.Factory {
	tb.Helper()
	f, err := ensemble.New(opts, members...)
	if err != nil {
		tb.Fatalf("New(%+v): %v", opts, err)
	}
	return f
}

func mustInstance(tb testing.TB, f sdk.Factory, dim int) sdk.Detector {
	tb.Helper()
	d, err := f.New(dim)
	if err != nil {
		tb.Fatalf("New(%d): %v", dim, err)
	}
	return d
}

// zscoreEWMA is an ensemble of the two univariate streaming detectors with
// their default options.
func zscoreEWMA(tb testing.TB, opts ensemble.Options) *ensemble.Factory {
	tb.Helper()
	z, err := zscore.New(zscore.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	e, err := ewma.New(ewma.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return mustFactory(tb, opts, z, e)
}

// fake is a member whose score is a fixed function of the point:
// gain·|x[feature]| capped at 1. It learns only a count, so tests know every score in
// advance, and its snapshot (magic, gain, count) checks the gain.
type fake struct {
	name    string
	gain    float64
	feature int
	maxDim  int
	kind    sdk.Kind
}

func (f *fake) Info() sdk.Info {
	return sdk.Info{Name: f.name, Version: "1", Kind: f.kind, MaxDim: f.maxDim}
}

func (f *fake) New(dim int) (sdk.Detector, error) {
	if dim < 1 || (f.maxDim > 0 && dim > f.maxDim) {
		return nil, fmt.Errorf("fake dim %d: %w", dim, sdk.ErrInvalidInput)
	}
	return &fakeDetector{gain: f.gain, feature: min(f.feature, dim-1), dim: dim}, nil
}

func newFake(name string, gain float64) *fake {
	return &fake{name: name, gain: gain, kind: sdk.Streaming}
}

type fakeDetector struct {
	gain    float64
	feature int
	dim     int
	seen    uint64
}

func (d *fakeDetector) Score(x []float64) (float64, error) {
	if err := sdk.CheckPoint(x, d.dim); err != nil {
		return 0, err
	}
	d.seen++
	return min(1, d.gain*math.Abs(x[d.feature])), nil
}

func (d *fakeDetector) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	return sdk.ScoreEach(d, xs, out)
}

func (d *fakeDetector) MarshalBinary() ([]byte, error) {
	b := binary.LittleEndian.AppendUint64([]byte("FAK"), math.Float64bits(d.gain))
	return binary.LittleEndian.AppendUint64(b, d.seen), nil
}

func (d *fakeDetector) UnmarshalBinary(b []byte) error {
	if len(b) != 19 || string(b[:3]) != "FAK" || binary.LittleEndian.Uint64(b[3:]) != math.Float64bits(d.gain) {
		return fmt.Errorf("fake snapshot: %w", sdk.ErrBadSnapshot)
	}
	d.seen = binary.LittleEndian.Uint64(b[11:])
	return nil
}

// values turns one-feature values into samples.
func values(xs ...float64) [][]float64 {
	out := make([][]float64, len(xs))
	for i, x := range xs {
		out[i] = []float64{x}
	}
	return out
}
