package surprise_test

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/surprise"
)

// Offsets of fields in the version 1 layout (snapshot.go).
const (
	offN       = 36
	offLo      = 44
	offOutside = 60
	offMean    = 61
)

// TestSnapshotContinues: an instance restored at any stage, the seasonal
// model running included, scores the rest of the stream bit for bit as
// the original does.
func TestSnapshotContinues(t *testing.T) {
	f := mustFactory(t, surprise.Options{})
	xs := daily(2600, 288)
	xs[2300] = 40
	for _, at := range []int{0, 5, 300, 2100} {
		orig := mustInstance(t, f)
		detectortest.ScoreValues(t, orig, xs[:at])
		restored := mustInstance(t, f)
		if err := restored.UnmarshalBinary(detectortest.MustSnapshot(t, orig)); err != nil {
			t.Fatalf("at %d: %v", at, err)
		}
		want := detectortest.ScoreValues(t, orig, xs[at:])
		got := detectortest.ScoreValues(t, restored, xs[at:])
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("restored at %d: point %d scored %v, original %v", at, at+i, got[i], want[i])
			}
		}
	}
}

func TestUnmarshalBad(t *testing.T) {
	f := mustFactory(t, surprise.Options{})
	d := mustInstance(t, f)
	detectortest.ScoreValues(t, d, daily(400, 288))
	good := detectortest.MustSnapshot(t, d)
	other := mustInstance(t, mustFactory(t, surprise.Options{Short: 5}))
	edit := func(fn func(b []byte) []byte) []byte { return fn(append([]byte(nil), good...)) }
	putF := func(b []byte, off int, v float64) []byte {
		binary.LittleEndian.PutUint64(b[off:], math.Float64bits(v))
		return b
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a surprise snapshot"},
		{"other magic", edit(func(b []byte) []byte { b[0] = 'X'; return b }), "not a surprise snapshot"},
		{"future version", edit(func(b []byte) []byte { b[3] = 2; return b }), "version 2, this build reads 1"},
		{"other options", detectortest.MustSnapshot(t, other), "options {Short:5"},
		{"truncated", good[:len(good)-10], "truncated"},
		{"trailing bytes", append(append([]byte(nil), good...), 0), "1 bytes past the end"},
		{"count off", edit(func(b []byte) []byte { b[offN]++; return b }), "values 400 after 401 values, want 401"},
		{"low above high", edit(func(b []byte) []byte { return putF(b, offLo, 1e9) }), "a low above its high"},
		{"mean not finite", edit(func(b []byte) []byte { return putF(b, offMean, math.NaN()) }), "extremes or mean not within"},
		{"flag byte", edit(func(b []byte) []byte { b[offOutside] = 7; return b }), "flag byte 7, want 0 or 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := detectortest.CheckUnmarshal(t, mustInstance(t, f), tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("UnmarshalBinary error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
