package threshold_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/threshold"
)

// FuzzUnmarshal feeds arbitrary bytes to UnmarshalBinary of every small
// policy. The committed corpus in testdata/fuzz/FuzzUnmarshal holds valid
// snapshots of each and near misses.
func FuzzUnmarshal(f *testing.F) {
	pols := small(f)
	for _, name := range []string{"fixed", "quantile", "spot", "dspot"} {
		for _, n := range []int{0, 5, 40} {
			p := pols[name]()
			observeAll(f, p, expScores(uint64(n), n, 1))
			f.Add(mustSnapshot(f, p))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for name, mk := range small(t) {
			p := mk()
			before := mustSnapshot(t, p)
			if err := p.UnmarshalBinary(data); err != nil {
				if !errors.Is(err, threshold.ErrBadSnapshot) {
					t.Fatalf("%s: error %v does not wrap ErrBadSnapshot", name, err)
				}
				if !bytes.Equal(mustSnapshot(t, p), before) {
					t.Fatalf("%s: rejected snapshot changed the policy", name)
				}
				continue
			}
			if !bytes.Equal(mustSnapshot(t, p), data) {
				t.Fatalf("%s: accepted snapshot does not marshal back to the same bytes", name)
			}
			for _, s := range []float64{0, 0.5, 1} {
				if _, err := p.Observe(s); err != nil {
					t.Fatalf("%s: Observe(%v) after restore: %v", name, s, err)
				}
			}
		}
	})
}
