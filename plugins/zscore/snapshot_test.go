package zscore_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/zscore"
)

func TestSnapshotContinuesBitIdentical(t *testing.T) {
	spiky := detectortest.Noisy(6, 120, 50, 3)
	spiky[70], spiky[71] = 90, 90 // spikes straddling a cut
	zeros := make([]float64, 120) // -0 and +0 compare equal but differ in bits
	for i := range zeros {
		zeros[i] = []float64{0, math.Copysign(0, -1), 1, -1, 0.5}[i*7%5]
	}
	f := mustFactory(t, zscore.Options{Window: 16, MinSamples: 6})
	for name, xs := range map[string][]float64{"spiky": spiky, "signed zeros": zeros, "decimals": decimals(spiky, 2)} {
		t.Run(name, func(t *testing.T) {
			want := detectortest.ScoreValues(t, mustInstance(t, f), xs)
			for _, cut := range []int{0, 1, 5, 6, 15, 16, 17, 71, 119} {
				for _, version := range []byte{1, 2, 3} {
					restored := restoreAfter(t, f, xs[:cut], version)
					for i := cut; i < len(xs); i++ {
						if got := detectortest.MustScoreValue(t, restored, xs[i]); math.Float64bits(got) != math.Float64bits(want[i]) {
							t.Fatalf("cut %d, version %d, point %d: restored scored %v, original %v", cut, version, i, got, want[i])
						}
					}
				}
			}
		})
	}
}

// restoreAfter scores prefix on one instance and returns a second one
// restored from its snapshot, in the layout of version: 3 when its window
// holds mantissas, else 2, as it marshals; or an earlier one, as agents
// before them wrote it.
func restoreAfter(t *testing.T, f *zscore.Factory, prefix []float64, version byte) sdk.Detector {
	t.Helper()
	orig := mustInstance(t, f)
	detectortest.ScoreValues(t, orig, prefix)
	snap := detectortest.MustSnapshot(t, orig)
	switch {
	case version == 1:
		snap = downgrade(toV2(snap), f.Options().Window)
	case version == 2:
		snap = toV2(snap)
	}
	restored := mustInstance(t, f)
	if err := checkUnmarshal(t, restored, snap); err != nil {
		t.Fatalf("after %d points: UnmarshalBinary version %d: %v", len(prefix), version, err)
	}
	return restored
}

// toV2 returns a snapshot in version 2's layout: its ring as float64s.
func toV2(snap []byte) []byte {
	if snap[3] != 3 {
		return snap
	}
	width, scale := int(snap[24]), math.Pow10(int(snap[25]))
	v2 := bytes.Clone(snap[:24])
	v2[3] = 2
	for m := snap[26:]; len(m) > 0; m = m[width:] {
		var v float64
		if width == 2 {
			v = float64(int16(binary.LittleEndian.Uint16(m)))
		} else {
			v = float64(int32(binary.LittleEndian.Uint32(m)))
		}
		v2 = binary.LittleEndian.AppendUint64(v2, math.Float64bits(v/scale))
	}
	return v2
}

// downgrade returns a version 2 snapshot in version 1's layout, as agents
// before it wrote it: the whole window, unfilled slots zero.
func downgrade(v2 []byte, window int) []byte {
	v1 := append(bytes.Clone(v2), make([]byte, 24+8*window-len(v2))...)
	v1[3] = 1
	return v1
}

// upgrade returns the version 2 snapshot equivalent to an accepted version
// 1 one: only the filled slots.
func upgrade(v1 []byte) []byte {
	le := binary.LittleEndian
	n := min(le.Uint64(v1[12:]), uint64(le.Uint32(v1[4:])))
	v2 := bytes.Clone(v1[:24+8*n])
	v2[3] = 2
	return v2
}

// checkUnmarshal is detectortest.CheckUnmarshal for both versions: an
// accepted version 1 snapshot marshals back as its version 2 equivalent.
func checkUnmarshal(t testing.TB, d sdk.Detector, data []byte) error {
	t.Helper()
	if len(data) < 4 || data[3] != 1 {
		return detectortest.CheckUnmarshal(t, d, data)
	}
	before := detectortest.MustSnapshot(t, d)
	err := d.UnmarshalBinary(data)
	switch {
	case err != nil && !errors.Is(err, sdk.ErrBadSnapshot):
		t.Fatalf("UnmarshalBinary error %v does not wrap sdk.ErrBadSnapshot", err)
	case err != nil && !bytes.Equal(detectortest.MustSnapshot(t, d), before):
		t.Fatalf("rejected snapshot changed the instance")
	case err == nil && !bytes.Equal(detectortest.MustSnapshot(t, d), upgrade(data)):
		t.Fatalf("accepted version 1 snapshot does not marshal back to its version 2 equivalent")
	}
	return err
}

func TestUnmarshalRejects(t *testing.T) {
	f := mustFactory(t, zscore.Options{Window: 8, MinSamples: 4})
	src := mustInstance(t, f)
	detectortest.ScoreValues(t, src, []float64{1, 2, 3, 4, 5})
	good3 := detectortest.MustSnapshot(t, src) // mantissas of 2 bytes, exponent 0
	good := toV2(good3)
	edit3 := func(fn func(b []byte) []byte) []byte { return fn(bytes.Clone(good3)) }
	edit := func(fn func(b []byte) []byte) []byte { return fn(bytes.Clone(good)) }
	setU32 := func(off int, v uint32) []byte {
		return edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[off:], v); return b })
	}
	setSlot := func(v float64) []byte {
		return edit(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[24+8:], math.Float64bits(v)); return b })
	}
	edit2 := func(b []byte) []byte { b[3] = 2; return b }
	v1Slot := func(i int, v float64) []byte {
		b := downgrade(good, 8)
		binary.LittleEndian.PutUint64(b[24+8*i:], math.Float64bits(v))
		return b
	}
	otherWindow := mustInstance(t, mustFactory(t, zscore.Options{Window: 16, MinSamples: 4}))
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"nil", nil, "0 bytes, shorter than the 24-byte header"},
		{"short header", good[:23], "23 bytes, shorter than the 24-byte header"},
		{"wrong magic", edit(func(b []byte) []byte { b[0] = 'X'; return b }), `magic "XZS", not a zscore snapshot`},
		{"future version", edit(func(b []byte) []byte { b[3] = 4; return b }), "version 4, this build reads 1 to 3"},
		{"other window", detectortest.MustSnapshot(t, otherWindow), "window 16, instance has 8"},
		{"other min_samples", setU32(8, 5), "min_samples 5, instance has 4"},
		{"truncated ring", good[:len(good)-1], "63 bytes, want 64 for 5 slots (window 8, 5 values seen)"},
		{"trailing byte", append(bytes.Clone(good), 0), "65 bytes, want 64 for 5 slots (window 8, 5 values seen)"},
		{"whole ring in version 2", edit2(downgrade(good, 8)), "88 bytes, want 64 for 5 slots (window 8, 5 values seen)"},
		{"version 1 truncated ring", downgrade(good, 8)[:87], "87 bytes, want 88 for 8 slots (window 8, 5 values seen)"},
		{"version 1 NaN in an unfilled slot", v1Slot(7, math.NaN()), "ring slot 7 holds NaN"},
		{"position out of window", setU32(20, 8), "ring position 8, want 5 after 5 values"},
		{"position disagrees with count", setU32(20, 2), "ring position 2, want 5 after 5 values"},
		{"NaN slot", setSlot(math.NaN()), "ring slot 1 holds NaN"},
		{"Inf slot", setSlot(math.Inf(-1)), "ring slot 1 holds -Inf"},
		{"version 3 without its header", good3[:25], "25 bytes, shorter than the 26-byte version 3 header"},
		{"version 3 odd width", edit3(func(b []byte) []byte { b[24] = 3; return b }), "mantissa width 3, want 2 or 4"},
		{"version 3 float width", edit3(func(b []byte) []byte { b[24] = 8; return b }), "mantissa width 8, want 2 or 4"},
		{"version 3 wider than stored", edit3(func(b []byte) []byte { b[24] = 4; return b }), "36 bytes, want 46 for 5 slots (window 8, 5 values seen)"},
		{"version 3 exponent too large", edit3(func(b []byte) []byte { b[25] = 10; return b }), "exponent 10, at most 9"},
		{"version 3 truncated ring", good3[:len(good3)-1], "35 bytes, want 36 for 5 slots (window 8, 5 values seen)"},
		{"version 3 as version 2", edit3(func(b []byte) []byte { b[3] = 2; return b }), "36 bytes, want 64 for 5 slots (window 8, 5 values seen)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustInstance(t, f)
			detectortest.ScoreValues(t, d, []float64{9, 9})
			err := checkUnmarshal(t, d, tc.data)
			if err == nil {
				t.Fatal("UnmarshalBinary accepted it; want ErrBadSnapshot")
			}
			if want := "zscore snapshot: " + tc.want + ": bad snapshot"; err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
		})
	}
}
