package seasonal_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/seasonal"
)

func TestSnapshotContinuesBitIdentical(t *testing.T) {
	const m = 8
	xs := sine(31, 200, m, 4, 1)
	xs[70], xs[71] = 30, -30 // spikes straddling a cut
	f := mustFactory(t, seasonal.Options{Season: m})
	want := detectortest.ScoreValues(t, mustInstance(t, f), xs)
	// In season 1, season 2, at the end of warm-up, after, at the spikes.
	for _, cut := range []int{0, 1, 5, 8, 11, 15, 16, 17, 71, 199} {
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
	opts := seasonal.Options{Season: 4}
	f := mustFactory(t, opts)
	src := mustInstance(t, f)
	detectortest.ScoreValues(t, src, sine(32, 11, 4, 3, 1))
	good := detectortest.MustSnapshot(t, src)
	setF64 := func(off int, v float64) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint64(b[off:], math.Float64bits(v))
		return b
	}
	other := func(edit func(*seasonal.Options)) []byte {
		o := opts
		edit(&o)
		return detectortest.MustSnapshot(t, mustInstance(t, mustFactory(t, o)))
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"nil", nil, "0 bytes, shorter than the 104-byte header"},
		{"short header", good[:103], "103 bytes, shorter than the 104-byte header"},
		{"wrong magic", append([]byte("PEW"), good[3:]...), `magic "PEW", not a seasonal snapshot`},
		{"future version", append([]byte("PHW\x02"), good[4:]...), "version 2, this build reads 1"},
		{"other season", other(func(o *seasonal.Options) { o.Season = 5 }), "season 5, instance has 4"},
		{"truncated", good[:len(good)-1], "135 bytes, want 136 for season 4"},
		{"trailing byte", append(bytes.Clone(good), 0), "137 bytes, want 136 for season 4"},
		{"other alpha", other(func(o *seasonal.Options) { o.Alpha = 0.2 }), "alpha 0.2, instance has 0.1"},
		{"other beta", other(func(o *seasonal.Options) { o.Beta = 0.2 }), "beta 0.2, instance has 0.01"},
		{"other gamma", other(func(o *seasonal.Options) { o.Gamma = 0.2 }), "gamma 0.2, instance has 0.1"},
		{"other mad_alpha", other(func(o *seasonal.Options) { o.MADAlpha = 0.2 }), "mad_alpha 0.2, instance has 0.05"},
		{"other clip", other(func(o *seasonal.Options) { o.Clip = 3 }), "clip 3, instance has 5"},
		{"NaN level", setF64(56, math.NaN()), "level is NaN"},
		{"Inf trend", setF64(64, math.Inf(1)), "trend is +Inf"},
		{"negative mad", setF64(72, -1), "mad is -1"},
		{"negative a_m2", setF64(96, -0.5), "a_m2 is -0.5"},
		{"Inf season slot", setF64(104+8*3, math.Inf(-1)), "season slot 3 is -Inf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustInstance(t, f)
			detectortest.ScoreValues(t, d, []float64{9, 9, 9})
			err := detectortest.CheckUnmarshal(t, d, tc.data)
			if err == nil {
				t.Fatal("UnmarshalBinary accepted it; want ErrBadSnapshot")
			}
			if want := "seasonal snapshot: " + tc.want + ": bad snapshot"; err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
		})
	}
}
