package ewma_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/ewma"
)

func TestSnapshotContinuesBitIdentical(t *testing.T) {
	xs := detectortest.Noisy(7, 200, 50, 3)
	xs[70], xs[71] = 90, 10 // spikes straddling a cut
	f := mustFactory(t, ewma.Options{MinSamples: 6})
	want := detectortest.ScoreValues(t, mustInstance(t, f), xs)
	for _, cut := range []int{0, 1, 5, 6, 7, 71, 199} {
		orig := mustInstance(t, f)
		detectortest.ScoreValues(t, orig, xs[:cut])
		restored := mustInstance(t, f)
		if err := restored.UnmarshalBinary(detectortest.MustSnapshot(t, orig)); err != nil {
			t.Fatalf("cut %d: UnmarshalBinary: %v", cut, err)
		}
		for i := cut; i < len(xs); i++ {
			if got := detectortest.MustScoreValue(t, restored, xs[i]); math.Float64bits(got) != math.Float64bits(want[i]) {
				t.Fatalf("cut %d, point %d: restored scored %v, original %v", cut, i, got, want[i])
			}
		}
	}
}

func TestUnmarshalRejects(t *testing.T) {
	f := mustFactory(t, ewma.Options{MinSamples: 4})
	src := mustInstance(t, f)
	detectortest.ScoreValues(t, src, []float64{1, 2, 3, 4, 5})
	good := detectortest.MustSnapshot(t, src)
	edit := func(off int, v uint64) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint64(b[off:], v)
		return b
	}
	other := func(o ewma.Options) []byte { return detectortest.MustSnapshot(t, mustInstance(t, mustFactory(t, o))) }
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"nil", nil, "0 bytes, shorter than the 4-byte header"},
		{"wrong magic", append([]byte("XEW"), good[3:]...), `magic "XEW", not an ewma snapshot`},
		{"future version", append([]byte("PEW\x02"), good[4:]...), "version 2, this build reads 1"},
		{"truncated", good[:47], "47 bytes, want 48"},
		{"trailing byte", append(bytes.Clone(good), 0), "49 bytes, want 48"},
		{"other alpha", other(ewma.Options{Alpha: 0.1, MinSamples: 4}), "alpha 0.1, instance has 0.05"},
		{"other clip", other(ewma.Options{Clip: 3, MinSamples: 4}), "clip 3, instance has 5"},
		{"other min_samples", other(ewma.Options{}), "min_samples 30, instance has 4"},
		{"NaN mean", edit(32, math.Float64bits(math.NaN())), "mean is NaN"},
		{"Inf mean", edit(32, math.Float64bits(math.Inf(-1))), "mean is -Inf"},
		{"negative variance", edit(40, math.Float64bits(-1)), "variance is -1, want finite and >= 0"},
		{"Inf variance", edit(40, math.Float64bits(math.Inf(1))), "variance is +Inf, want finite and >= 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustInstance(t, f)
			detectortest.ScoreValues(t, d, []float64{9, 9})
			err := detectortest.CheckUnmarshal(t, d, tc.data)
			if err == nil {
				t.Fatal("UnmarshalBinary accepted it; want ErrBadSnapshot")
			}
			if want := "ewma snapshot: " + tc.want + ": bad snapshot"; err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
		})
	}
}
