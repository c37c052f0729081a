package iforest_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/iforest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func TestSnapshotRestoresModel(t *testing.T) {
	tests := []struct {
		name string
		opts iforest.Options
		dim  int
		rows int
	}{
		{name: "defaults", dim: 3, rows: 2000},
		{name: "univariate", dim: 1, rows: 500},
		{name: "one shallow tree", opts: iforest.Options{Trees: 1, MaxDepth: 2}, dim: 4, rows: 300},
		{name: "fewer rows than sample", opts: iforest.Options{SampleSize: 1000}, dim: 2, rows: 40},
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
	f := mustFactory(t, iforest.Options{})
	xs, _ := detectortest.Labelled(31, 100, 2, 0, 1, 5)
	d := mustFitted(t, f, xs)
	if err := d.UnmarshalBinary(detectortest.MustSnapshot(t, mustInstance(t, f, 2))); err != nil {
		t.Fatalf("UnmarshalBinary(unfitted): %v", err)
	}
	if _, err := d.Score(xs[0]); !errors.Is(err, sdk.ErrNotFitted) {
		t.Errorf("Score after restoring an unfitted snapshot: %v, want ErrNotFitted", err)
	}
}

// smallModel is a 2-tree model of 2 features on 8 rows: 16-byte header,
// two node counts, then 20-byte nodes from offset 24, tree 0's root first.
func smallModel(t *testing.T) (model, []byte) {
	xs, _ := detectortest.Labelled(32, 8, 2, 0, 1, 5)
	d := mustFitted(t, mustFactory(t, iforest.Options{Trees: 2}), xs)
	return d, detectortest.MustSnapshot(t, d)
}

func TestUnmarshalRejects(t *testing.T) {
	_, good := smallModel(t)
	le := binary.LittleEndian
	edit := func(fn func(b []byte)) []byte { b := bytes.Clone(good); fn(b); return b }
	setU32 := func(off int, v uint32) []byte { return edit(func(b []byte) { le.PutUint32(b[off:], v) }) }
	const root = 24
	leaf := root // find tree 0's first leaf
	for int32(le.Uint32(good[leaf:])) != -1 {
		leaf += 20
	}
	n0 := int(le.Uint32(good[16:]))
	rootSize := le.Uint32(good[root+8:])
	childSizes := le.Uint32(good[root+20+8:])
	unfitted := detectortest.MustSnapshot(t, mustInstance(t, mustFactory(t, iforest.Options{}), 2))
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"nil", nil, "0 bytes, shorter than the 16-byte header"},
		{"short header", good[:15], "15 bytes, shorter than the 16-byte header"},
		{"wrong magic", edit(func(b []byte) { b[1] = 'X' }), `magic "PXF", not an iforest snapshot`},
		{"future version", edit(func(b []byte) { b[3] = 2 }), "version 2, this build reads 1"},
		{"other dim", setU32(4, 3), "dim 3, instance has 2"},
		{"unfitted with trailing byte", append(bytes.Clone(unfitted), 0), "1 bytes after an unfitted header"},
		{"psi 1", setU32(8, 1), "psi 1 out of range 2..65536"},
		{"no trees", setU32(12, 0), "0 trees, out of range 1..1000"},
		{"too many trees", setU32(12, 1001), "1001 trees, out of range 1..1000"},
		{"counts cut off", good[:20], "20 bytes, too short for 2 node counts"},
		{"empty tree", setU32(16, 0), "tree 0 has 0 nodes, want 1..15"},
		{"tree too big", setU32(16, 16), "tree 0 has 16 nodes, want 1..15"},
		{"truncated", good[:len(good)-1], fmt.Sprintf("%d bytes, want %d for", len(good)-1, len(good))},
		{"trailing byte", append(bytes.Clone(good), 0), fmt.Sprintf("%d bytes, want %d for", len(good)+1, len(good))},
		{"root size", setU32(root+8, rootSize-1), "tree 0: root size 7, want psi 8"},
		{"feature out of range", setU32(root, 2), "tree 0: node 0: split feature 2, dim is 2"},
		{"negative feature", setU32(root, 0xfffffffe), "tree 0: node 0: split feature -2, dim is 2"},
		{"NaN threshold", edit(func(b []byte) { le.PutUint64(b[root+12:], math.Float64bits(math.NaN())) }), "tree 0: node 0: threshold NaN"},
		{"-0 threshold", edit(func(b []byte) { le.PutUint64(b[root+12:], 1<<63) }), "tree 0: node 0: threshold -0 (bits 0x8000000000000000), want finite and not −0"},
		{"left child is self", setU32(root+4, 0), "tree 0: node 0: left child 0 outside 1.." + strconv.Itoa(n0-2)},
		{"left child past end", setU32(root+4, uint32(n0-1)), "tree 0: node 0: left child " + strconv.Itoa(n0-1) + " outside 1.." + strconv.Itoa(n0-2)},
		{"children sizes", setU32(root+20+8, childSizes+1), "tree 0: node 0: size " + strconv.Itoa(int(rootSize)) + ", children " + strconv.Itoa(int(childSizes)+1) + " + " + strconv.Itoa(int(rootSize-childSizes))},
		{"leaf threshold", edit(func(b []byte) { b[leaf+19] = 0x3f }), "leaf with left 0, thr bits 0x3f00000000000000, size"},
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
