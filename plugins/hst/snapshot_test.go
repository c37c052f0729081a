package hst_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/hst"
)

func TestSnapshotContinuesBitIdentical(t *testing.T) {
	xs := cluster(11, 400, 0, 5, 10)
	xs[70][1], xs[71][2] = 90, -90 // spikes straddling a cut
	for _, opts := range []hst.Options{{Window: 30, Trees: 7, Depth: 9}, {}} {
		f := mustFactory(t, opts)
		want := detectortest.ScoreAll(t, mustInstance(t, f, 3), xs)
		for _, cut := range []int{0, 1, 29, 30, 31, 71, 249, 250, 251, 399} {
			orig := mustInstance(t, f, 3)
			detectortest.ScoreAll(t, orig, xs[:cut])
			restored := mustInstance(t, f, 3)
			if err := restored.UnmarshalBinary(detectortest.MustSnapshot(t, orig)); err != nil {
				t.Fatalf("%+v, cut %d: UnmarshalBinary: %v", opts, cut, err)
			}
			for i := cut; i < len(xs); i++ {
				if got := detectortest.MustScore(t, restored, xs[i]); math.Float64bits(got) != math.Float64bits(want[i]) {
					t.Fatalf("%+v, cut %d, point %d: restored scored %v, original %v", opts, cut, i, got, want[i])
				}
			}
		}
	}
}

func TestUnmarshalRejects(t *testing.T) {
	opts := hst.Options{Trees: 2, Depth: 4, Window: 10}
	f := mustFactory(t, opts)
	src := mustInstance(t, f, 2)
	detectortest.ScoreAll(t, src, cluster(12, 13, 0, 0)) // a reference and 3 latest points
	good := detectortest.MustSnapshot(t, src)
	itoa := strconv.Itoa
	const ref = 40        // the reference starts with offset and span, 2 each
	nodes := ref + 32 + 8 // then 2 roots, then the nodes
	nNodes := int(binary.LittleEndian.Uint32(good[36:]))
	masses := nodes + 8*nNodes
	edit := func(fn func(b []byte)) []byte { b := bytes.Clone(good); fn(b); return b }
	setU32 := func(off int, v uint32) []byte {
		return edit(func(b []byte) { binary.LittleEndian.PutUint32(b[off:], v) })
	}
	setF64 := func(off int, v float64) []byte {
		return edit(func(b []byte) { binary.LittleEndian.PutUint64(b[off:], math.Float64bits(v)) })
	}
	other := func(o hst.Options, dim int) []byte {
		return detectortest.MustSnapshot(t, mustInstance(t, mustFactory(t, o), dim))
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"nil", nil, "0 bytes, shorter than the 40-byte header"},
		{"wrong magic", append([]byte("PHW"), good[3:]...), `magic "PHW", not an hst snapshot`},
		{"future version", append([]byte("PHS\x02"), good[4:]...), "version 2, this build reads 1"},
		{"other trees", other(hst.Options{Trees: 3, Depth: 4, Window: 10}, 2), "trees 3, instance has 2"},
		{"other depth", other(hst.Options{Trees: 2, Depth: 5, Window: 10}, 2), "depth 5, instance has 4"},
		{"other window", other(hst.Options{Trees: 2, Depth: 4, Window: 11}, 2), "window 11, instance has 10"},
		{"other seed", other(hst.Options{Trees: 2, Depth: 4, Window: 10, Seed: 9}, 2), "seed 9, instance has 1"},
		{"other dim", other(opts, 3), "dim 3, instance has 2"},
		{"nodes before a full window", setU32(28, 9), itoa(nNodes) + " nodes after 9 points, window 10"},
		{"too many nodes", setU32(36, 1000), "1000 nodes, at most 82 fit the options"},
		{"truncated", good[:len(good)-1], itoa(len(good)-1) + " bytes, want " + itoa(len(good))},
		{"trailing byte", append(bytes.Clone(good), 0), itoa(len(good)+1) + " bytes, want " + itoa(len(good))},
		{"NaN offset", setF64(ref+8, math.NaN()), "offset 1 is NaN"},
		{"zero span", setF64(ref+16, 0), "span 0 is 0, want finite and > 0"},
		{"root out of range", setU32(ref+32+4, uint32(nNodes)), "root of tree 1 is node " + itoa(nNodes) + " of " + itoa(nNodes)},
		{"node over the window", setU32(nodes, 11), "node 0 holds 11 points, more than the window"},
		{"child before parent", setU32(nodes+8+4, 0), "node 1 has children at 0, want -1 or 2.." + itoa(nNodes-2)},
		{"child past the end", setU32(nodes+4, uint32(nNodes-1)), "node 0 has children at " + itoa(nNodes-1) + ", want -1 or 1.." + itoa(nNodes-2)},
		{"masses descending", setF64(masses+8, -1), "mass 1 is -1, want finite, >= 0 and ascending"},
		{"Inf mass", setF64(masses+72, math.Inf(1)), "mass 9 is +Inf, want finite, >= 0 and ascending"},
		{"NaN latest", setF64(len(good)-8, math.NaN()), "latest window value 5 is NaN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustInstance(t, f, 2)
			detectortest.ScoreAll(t, d, cluster(13, 14, 5, 5))
			err := detectortest.CheckUnmarshal(t, d, tc.data)
			if err == nil {
				t.Fatal("UnmarshalBinary accepted it; want ErrBadSnapshot")
			}
			if want := "hst snapshot: " + tc.want + ": bad snapshot"; err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
		})
	}
}
