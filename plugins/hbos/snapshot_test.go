package hbos_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/hbos"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func TestSnapshotRestoresModel(t *testing.T) {
	tests := []struct {
		name string
		opts hbos.Options
		dim  int
		rows int
	}{
		{name: "defaults", dim: 3, rows: 2000},
		{name: "univariate", dim: 1, rows: 500},
		{name: "auto bins, sampled calibration", opts: hbos.Options{Bins: hbos.AutoBins}, dim: 4, rows: 5000},
		{name: "two rows", opts: hbos.Options{Bins: 2}, dim: 2, rows: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			xs, _ := detectortest.Labelled(30, tc.rows+200, tc.dim, 0.05, 1, 5)
			f := mustFactory(t, tc.opts)
			orig := mustFitted(t, f, xs[:tc.rows])
			snap := detectortest.MustSnapshot(t, orig)
			restored := mustInstance(t, f, tc.dim)
			if err := restored.UnmarshalBinary(snap); err != nil {
				t.Fatalf("UnmarshalBinary: %v", err)
			}
			for i, x := range xs {
				a, b := detectortest.MustScore(t, orig, x), detectortest.MustScore(t, restored, x)
				if math.Float64bits(a) != math.Float64bits(b) {
					t.Fatalf("point %d: restored scored %v, original %v", i, b, a)
				}
				ea, _ := orig.Explain(x)
				eb, _ := restored.Explain(x)
				if !slices.Equal(ea, eb) {
					t.Fatalf("point %d: restored explains %v, original %v", i, eb, ea)
				}
			}
			if !bytes.Equal(detectortest.MustSnapshot(t, restored), snap) {
				t.Error("restored instance snapshots differently")
			}
		})
	}
}

func TestSnapshotUnfitted(t *testing.T) {
	f := mustFactory(t, hbos.Options{})
	xs, _ := detectortest.Labelled(31, 100, 2, 0, 1, 5)
	d := mustFitted(t, f, xs)
	if err := d.UnmarshalBinary(detectortest.MustSnapshot(t, mustInstance(t, f, 2))); err != nil {
		t.Fatalf("UnmarshalBinary(unfitted): %v", err)
	}
	if _, err := d.Score(xs[0]); !errors.Is(err, sdk.ErrNotFitted) {
		t.Errorf("Score after restoring an unfitted snapshot: %v, want ErrNotFitted", err)
	}
}

// smallModel is a 2-feature, 3-bin model of 8 rows: a 24-byte header,
// ranges from 24, counts from 56, 8 calibration scores from 80.
func smallModel(t *testing.T) (model, []byte) {
	xs, _ := detectortest.Labelled(32, 8, 2, 0, 1, 5)
	d := mustFitted(t, mustFactory(t, hbos.Options{Bins: 3}), xs)
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
	unfitted := detectortest.MustSnapshot(t, mustInstance(t, mustFactory(t, hbos.Options{}), 2))
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"nil", nil, "0 bytes, shorter than the 24-byte header"},
		{"short header", good[:23], "23 bytes, shorter than the 24-byte header"},
		{"wrong magic", edit(func(b []byte) { b[1] = 'X' }), `magic "PXB", not an hbos snapshot`},
		{"future version", edit(func(b []byte) { b[3] = 2 }), "version 2, this build reads 1"},
		{"other dim", setU32(4, 3), "dim 3, instance has 2"},
		{"unfitted with trailing byte", append(bytes.Clone(unfitted), 0), "0 bins, out of range 2..1000"},
		{"one bin", setU32(8, 1), "1 bins, out of range 2..1000"},
		{"one calibration score", setU32(12, 1), "1 calibration scores for 8 rows, want 2..1024 and ≤ rows"},
		{"more scores than rows", setU32(12, 9), "9 calibration scores for 8 rows"},
		{"truncated", good[:len(good)-1], fmt.Sprintf("%d bytes, want %d for 3 bins and 8 scores", len(good)-1, len(good))},
		{"trailing byte", append(bytes.Clone(good), 0), fmt.Sprintf("%d bytes, want %d for 3 bins and 8 scores", len(good)+1, len(good))},
		{"NaN range", setF(24, math.NaN()), "feature 0 range [NaN,"},
		{"inverted range", setF(48, -1e300), "feature 1 range ["},
		{"counts off", setU32(56, le.Uint32(good[56:])+1), "feature 0 counts add up to 9, want 8 rows"},
		{"negative score", setF(80, -1), "calibration score 0 is -1, want finite, ≥ 0, ascending"},
		{"Inf score", setF(80+7*8, math.Inf(1)), "calibration score 7 is +Inf"},
		{"unsorted scores", setF(80+7*8, 0), "calibration score 7 is 0"},
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
