package surprise_test

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/surprise"
)

// Offsets of fields in the version 2 layout (snapshot.go).
const (
	offNovelty = 28
	offN       = 40
	offLo      = 48
	offOutside = 64
	offMean    = 65
)

// TestSnapshotContinues: an instance restored at any stage, the seasonal
// model running included, scores the rest of the stream bit for bit as
// the original does.
func TestSnapshotContinues(t *testing.T) {
	f := mustFactory(t, surprise.Options{})
	xs := daily(2600, 288)
	xs[2300] = 40
	// 300 is inside the novelty channel's learning period, 800 and 2100
	// past it.
	for _, at := range []int{0, 5, 300, 800, 2100} {
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
		{"future version", edit(func(b []byte) []byte { b[3] = 3; return b }), "version 3, this build reads 2"},
		{"version 1 with novelty on", edit(func(b []byte) []byte { b[3] = 1; return b }), "version 1, taken without the novelty channel: restore it with novelty off"},
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

// TestSnapshotVersion1: a version 1 snapshot, from before the novelty
// channel, restores into an instance with the channel off and continues
// as the instance it came from.
func TestSnapshotVersion1(t *testing.T) {
	f := mustFactory(t, surprise.Options{Novelty: surprise.NoNovelty})
	xs := daily(2600, 288)
	orig := mustInstance(t, f)
	detectortest.ScoreValues(t, orig, xs[:2100])
	v2 := detectortest.MustSnapshot(t, orig)
	// Version 1 is version 2 without the novelty option (and section).
	v1 := append(append([]byte("PSU\x01"), v2[4:offNovelty]...), v2[offNovelty+4:]...)
	restored := mustInstance(t, f)
	if err := restored.UnmarshalBinary(v1); err != nil {
		t.Fatal(err)
	}
	want := detectortest.ScoreValues(t, orig, xs[2100:])
	got := detectortest.ScoreValues(t, restored, xs[2100:])
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("point %d scored %v after the version 1 restore, original %v", 2100+i, got[i], want[i])
		}
	}
}
