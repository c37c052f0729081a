package ensemble_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/ensemble"
)

func TestSnapshotContinuesBitIdentical(t *testing.T) {
	xs := detectortest.Noisy(6, 400, 50, 3)
	xs[70], xs[71], xs[300] = 90, 90, -20 // spikes straddling a cut
	for _, opts := range []ensemble.Options{
		{Method: ensemble.Mean}, {Method: ensemble.Max},
		{Method: ensemble.Rank}, {Method: ensemble.Rank, RankWindow: 16},
	} {
		t.Run(string(opts.Method), func(t *testing.T) {
			f := zscoreEWMA(t, opts)
			want := detectortest.ScoreValues(t, mustInstance(t, f, 1), xs)
			for _, cut := range []int{0, 1, 9, 10, 16, 17, 40, 71, 399} {
				orig := mustInstance(t, f, 1)
				detectortest.ScoreValues(t, orig, xs[:cut])
				snap := detectortest.MustSnapshot(t, orig)
				restored := mustInstance(t, f, 1)
				detectortest.ScoreValues(t, restored, xs[200:260]) // another history to overwrite
				if err := restored.UnmarshalBinary(snap); err != nil {
					t.Fatalf("cut %d: UnmarshalBinary: %v", cut, err)
				}
				if again := detectortest.MustSnapshot(t, restored); !bytes.Equal(again, snap) {
					t.Fatalf("cut %d: restored instance re-marshals to other bytes", cut)
				}
				for i := cut; i < len(xs); i++ {
					if got := detectortest.MustScoreValue(t, restored, xs[i]); math.Float64bits(got) != math.Float64bits(want[i]) {
						t.Fatalf("cut %d, point %d: restored scored %v, original %v", cut, i, got, want[i])
					}
				}
			}
		})
	}
}

func TestUnmarshalRejects(t *testing.T) {
	opts := ensemble.Options{Method: ensemble.Rank, RankWindow: 10}
	a, b := newFake("a", 1), newFake("b", 0.5)
	f := mustFactory(t, opts, a, b)
	good := snapshotAfter(t, f, 12)
	edit := func(fn func(b []byte)) []byte { c := bytes.Clone(good); fn(c); return c }
	setU32 := func(off int, v uint32) []byte {
		return edit(func(b []byte) { binary.LittleEndian.PutUint32(b[off:], v) })
	}
	// The first window score sits after the header and two 1+1+4+19-byte
	// member records.
	const window0 = 21 + 2*25
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"nil", nil, "0 bytes, shorter than the 4-byte header"},
		{"wrong magic", edit(func(b []byte) { b[0] = 'X' }), `magic "XEN", not an ensemble snapshot`},
		{"future version", edit(func(b []byte) { b[3] = 2 }), "version 2, this build reads 1"},
		{"short header", good[:20], "20 bytes, shorter than the 21-byte header"},
		{"other method", snapshotAfter(t, mustFactory(t, ensemble.Options{Method: ensemble.Max}, a, b), 12), "method code 2, instance has 3 (rank)"},
		{"other member count", snapshotAfter(t, mustFactory(t, opts, a, b, a), 12), "3 members, instance has 2"},
		{"other window", snapshotAfter(t, mustFactory(t, ensemble.Options{Method: ensemble.Rank, RankWindow: 11}, a, b), 12), "rank_window 11, instance has 10"},
		{"other dim", setU32(13, 2), "dim 2, instance has 1"},
		{"more ranked than window", setU32(17, 11), "11 ranked scores, more than rank_window 10"},
		{"members swapped", snapshotAfter(t, mustFactory(t, opts, b, a), 12), `member 0 is "b", instance has "a"`},
		{"member rejects its snapshot", snapshotAfter(t, mustFactory(t, opts, a, newFake("b", 0.25)), 12), "member 1 (b): fake snapshot: bad snapshot"},
		{"truncated member", good[:30], "truncated in member 0 (a)"},
		{"truncated window", good[:len(good)-1], "truncated in rank window 1"},
		{"trailing byte", append(bytes.Clone(good), 0), "1 bytes after the last field"},
		{"NaN in window", edit(func(b []byte) { binary.LittleEndian.PutUint64(b[window0+8:], math.Float64bits(math.NaN())) }), "rank window 0, score 1 is NaN, want 0..1"},
		{"score above 1", edit(func(b []byte) { binary.LittleEndian.PutUint64(b[window0:], math.Float64bits(1.5)) }), "rank window 0, score 0 is 1.5, want 0..1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustInstance(t, f, 1)
			detectortest.ScoreValues(t, d, []float64{0.3, 0.2})
			err := detectortest.CheckUnmarshal(t, d, tc.data)
			if err == nil {
				t.Fatal("UnmarshalBinary accepted it; want ErrBadSnapshot")
			}
			if want := "ensemble snapshot: " + tc.want; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error = %q, want it to start %q", err, want)
			}
		})
	}
}

// snapshotAfter returns the snapshot of an instance of f that scored n
// values 0.01, 0.02, ….
func snapshotAfter(t *testing.T, f *ensemble.Factory, n int) []byte {
	t.Helper()
	d := mustInstance(t, f, 1)
	for i := range n {
		detectortest.MustScoreValue(t, d, float64(i+1)/100)
	}
	return detectortest.MustSnapshot(t, d)
}
