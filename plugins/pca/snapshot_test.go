package pca_test

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
	"github.com/pynomaly/pynomaly/plugins/pca"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func TestSnapshotRestoresModel(t *testing.T) {
	tests := []struct {
		name string
		opts pca.Options
		dim  int
		rows int
	}{
		{name: "defaults", dim: 3, rows: 2000},
		{name: "sampled calibration", dim: 8, rows: 5000},
		{name: "many components", opts: pca.Options{Components: 5}, dim: 6, rows: 300},
		{name: "two rows", dim: 3, rows: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			xs, _ := labelled(30, tc.rows+200, tc.dim, 0.05)
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
	f := mustFactory(t, pca.Options{})
	xs, _ := labelled(31, 100, 2, 0)
	d := mustFitted(t, f, xs)
	if err := d.UnmarshalBinary(detectortest.MustSnapshot(t, mustInstance(t, f, 2))); err != nil {
		t.Fatalf("UnmarshalBinary(unfitted): %v", err)
	}
	if _, err := d.Score(xs[0]); !errors.Is(err, sdk.ErrNotFitted) {
		t.Errorf("Score after restoring an unfitted snapshot: %v, want ErrNotFitted", err)
	}
}

// smallModel is a 3-feature model with 1 component of 8 rows: a 16-byte
// header, means from 16, sds from 40, loadings from 64, 8 calibration
// scores from 88.
func smallModel(t *testing.T) (model, []byte) {
	xs, _ := labelled(32, 8, 3, 0)
	d := mustFitted(t, mustFactory(t, pca.Options{Components: 1}), xs)
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
	unfitted := detectortest.MustSnapshot(t, mustInstance(t, mustFactory(t, pca.Options{}), 3))
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"nil", nil, "0 bytes, shorter than the 16-byte header"},
		{"short header", good[:15], "15 bytes, shorter than the 16-byte header"},
		{"wrong magic", edit(func(b []byte) { b[1] = 'X' }), `magic "PXC", not a pca snapshot`},
		{"future version", edit(func(b []byte) { b[3] = 2 }), "version 2, this build reads 1"},
		{"other dim", setU32(4, 4), "dim 4, instance has 3"},
		{"unfitted with trailing byte", append(bytes.Clone(unfitted), 0), "0 components, want 1..2"},
		{"components = dim", setU32(8, 3), "3 components, want 1..2"},
		{"one calibration score", setU32(12, 1), "1 calibration scores, want 2..1024"},
		{"too many scores", setU32(12, 1025), "1025 calibration scores, want 2..1024"},
		{"truncated", good[:len(good)-1], fmt.Sprintf("%d bytes, want %d for 1 components and 8 scores", len(good)-1, len(good))},
		{"trailing byte", append(bytes.Clone(good), 0), fmt.Sprintf("%d bytes, want %d for 1 components and 8 scores", len(good)+1, len(good))},
		{"NaN mean", setF(16, math.NaN()), "mean 0 is NaN"},
		{"zero sd", setF(40+8, 0), "sd 1 is 0"},
		{"Inf sd", setF(40+16, math.Inf(1)), "sd 2 is +Inf"},
		{"loading over 1", setF(64, 1.5), "loading 0 is 1.5"},
		{"negative score", setF(88, -1), "calibration score 0 is -1"},
		{"unsorted scores", setF(88+7*8, 0), "calibration score 7 is 0"},
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
