package kmeans_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/kmeans"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// TestSnapshotMidStream snapshots after some scoring, restores into an
// unfitted instance of other options, and checks both continue bit for bit.
func TestSnapshotMidStream(t *testing.T) {
	tests := []struct {
		name string
		opts kmeans.Options
		cut  int
	}{
		{name: "defaults", cut: 123},
		{name: "right after fit", cut: 0},
		{name: "no preprocessing", opts: kmeans.Options{Diff: kmeans.Off, Smooth: 1, Lag: kmeans.Off, K: 1}, cut: 7},
		{name: "long lag", opts: kmeans.Options{Diff: 3, Smooth: 5, Lag: 20, K: 4}, cut: 501},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vals := sine(6, 3000, 25, 3, 0.2)
			orig := mustFitted(t, mustFactory(t, tc.opts), vals[:1500])
			detectortest.ScoreValues(t, orig, vals[1500:1500+tc.cut])
			snap := detectortest.MustSnapshot(t, orig)
			restored := mustInstance(t, mustFactory(t, kmeans.Options{K: 7, Lag: 2}))
			if err := restored.UnmarshalBinary(snap); err != nil {
				t.Fatalf("UnmarshalBinary: %v", err)
			}
			for i, v := range vals[1500+tc.cut:] {
				a, b := detectortest.MustScoreValue(t, orig, v), detectortest.MustScoreValue(t, restored, v)
				if math.Float64bits(a) != math.Float64bits(b) {
					t.Fatalf("point %d: restored scored %v, original %v", i, b, a)
				}
			}
			if !bytes.Equal(detectortest.MustSnapshot(t, restored), detectortest.MustSnapshot(t, orig)) {
				t.Error("restored instance snapshots differently")
			}
		})
	}
}

func TestSnapshotUnfitted(t *testing.T) {
	f := mustFactory(t, kmeans.Options{})
	d := mustFitted(t, f, sine(7, 100, 10, 1, 0.1))
	if err := d.UnmarshalBinary(detectortest.MustSnapshot(t, mustInstance(t, f))); err != nil {
		t.Fatalf("UnmarshalBinary(unfitted): %v", err)
	}
	if _, err := d.Score([]float64{1}); !errors.Is(err, sdk.ErrNotFitted) {
		t.Errorf("Score after restoring an unfitted snapshot: %v, want ErrNotFitted", err)
	}
}

// smallModel is a default model (k 2, width 6, history 9) of 12 rows: 4
// vectors, a 32-byte header, centres from 32, 4 distances from 128, the
// history from 160 to 232.
func smallModel(t *testing.T) (model, []byte) {
	d := mustFitted(t, mustFactory(t, kmeans.Options{}), sine(8, 12, 10, 1, 0.1))
	return d, detectortest.MustSnapshot(t, d)
}

func TestUnmarshalRejects(t *testing.T) {
	_, good := smallModel(t)
	le := binary.LittleEndian
	edit := func(fn func(b []byte)) []byte { b := bytes.Clone(good); fn(b); return b }
	setU32 := func(off int, v uint32) []byte { return edit(func(b []byte) { le.PutUint32(b[off:], v) }) }
	setF := func(off int, v float64) []byte {
		return edit(func(b []byte) { le.PutUint64(b[off:], math.Float64bits(v)) })
	}
	unfitted := detectortest.MustSnapshot(t, mustInstance(t, mustFactory(t, kmeans.Options{})))
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"nil", nil, "0 bytes, shorter than the 32-byte header"},
		{"short header", good[:31], "31 bytes, shorter than the 32-byte header"},
		{"wrong magic", edit(func(b []byte) { b[1] = 'X' }), `magic "PXM", not a kmeans snapshot`},
		{"future version", edit(func(b []byte) { b[3] = 2 }), "version 2, this build reads 1"},
		{"unfitted with trailing byte", append(bytes.Clone(unfitted), 0), "diff 0, smooth 0, lag 0"},
		{"diff too large", setU32(4, 101), "diff 101, smooth 3, lag 5"},
		{"smooth 0", setU32(8, 0), "diff 1, smooth 0, lag 5"},
		{"huge lag", setU32(12, math.MaxUint32), "lag 4294967295"},
		{"no centres", setU32(16, 0), "0 centres, out of range 1..64"},
		{"one distance", setU32(20, 1), "1 calibration distances for 4 vectors"},
		{"more distances than vectors", setU32(20, 5), "5 calibration distances for 4 vectors"},
		{"fewer vectors than 2k", setU32(16, 3), "4 calibration distances for 4 vectors and k 3"},
		{"truncated", good[:len(good)-1], "231 bytes, want 232 for k 2, lag 5, 4 distances and 9 history values"},
		{"trailing byte", append(bytes.Clone(good), 0), "233 bytes, want 232"},
		{"NaN centre", setF(32, math.NaN()), "centre value 0 is NaN"},
		{"negative distance", setF(128, -1), "calibration distance 0 is -1, want finite, ≥ 0, ascending"},
		{"unsorted distances", setF(128+3*8, 0), "calibration distance 3 is 0"},
		{"Inf history", setF(224, math.Inf(-1)), "history value 8 is -Inf, want finite"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := smallModel(t)
			err := detectortest.CheckUnmarshal(t, d, tc.data)
			if err == nil {
				t.Fatal("UnmarshalBinary accepted it; want ErrBadSnapshot")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q, want it to say %q", err, tc.want)
			}
		})
	}
}
