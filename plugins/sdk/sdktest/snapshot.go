package sdktest

import (
	"bytes"
	"fmt"
	"maps"
	"slices"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// checkSnapshotRestore snapshots at several cut points and checks restored
// instances continue exactly as the original, and that bad snapshots are
// rejected without effect.
func checkSnapshotRestore(e *env) {
	n := len(e.xs)
	want := e.scoreAll(e.fresh(), e.xs)
	for _, cut := range cuts(n, 0, 1, n/3, n/2+7, n-1) {
		checkRestoreAt(e, cut, want)
	}
	checkRestoreOverUsed(e, n/2, want)
	checkBadSnapshots(e)
}

// checkRestoreAt checks one cut: the original continues unaffected by
// MarshalBinary, the snapshot bytes stay put, and an unfitted instance
// restored from them continues bit-identically.
func checkRestoreAt(e *env, cut int, want []float64) {
	orig := e.after(cut)
	blob := e.snapshot(orig)
	keep := bytes.Clone(blob)
	if i := firstDiff(e.scoreAll(orig, e.xs[cut:]), want[cut:]); i >= 0 {
		e.r.Errorf("snapshot after %d points: the original's point %d then scored differently than without MarshalBinary; MarshalBinary must not change the state", cut, cut+i)
	}
	e.snapshot(orig)
	if !bytes.Equal(blob, keep) {
		e.r.Errorf("snapshot after %d points: its bytes changed when the instance scored on; MarshalBinary must return memory the instance does not reuse", cut)
	}
	d := e.raw() // unfitted: a batch snapshot must carry the model
	e.restoreFrom(d, keep, "a fresh (unfitted) instance", cut, want)
}

// checkRestoreOverUsed restores into an instance with another history (and
// for batch detectors, another fit).
func checkRestoreOverUsed(e *env, cut int, want []float64) {
	other := e.data(streamOther, len(e.xs))
	d := e.raw()
	if e.info.Kind == sdk.Batch {
		e.fitOn(d, other[:min(len(other), len(e.fit))])
	}
	e.scoreAll(d, other)
	e.restoreFrom(d, e.snapshot(e.after(cut)), "an instance that had scored other data", cut, want)
}

// restoreFrom restores a copy of blob into d, scribbles over the copy (an
// instance must not keep the caller's bytes), and checks d then scores
// e.xs[cut:] as want.
func (e *env) restoreFrom(d sdk.Detector, blob []byte, into string, cut int, want []float64) {
	in := bytes.Clone(blob)
	if err := do(func() error { return d.UnmarshalBinary(in) }); err != nil {
		e.r.Errorf("snapshot after %d points, restored into %s: UnmarshalBinary: %v", cut, into, err)
		return
	}
	for i := range in {
		in[i] ^= 0xA5
	}
	for i, x := range e.xs[cut:] {
		s, err := call(func() (float64, error) { return d.Score(slices.Clone(x)) })
		if err != nil || !same(s, want[cut+i]) {
			e.r.Errorf("snapshot after %d points, restored into %s: point %d scored %v (err %v), the original scored %v", cut, into, cut+i, s, err, want[cut+i])
			return
		}
	}
}

// badSnapshots returns snapshots every detector must reject, derived from
// the good one: empty, truncated, and random bytes.
func (e *env) badSnapshots(good []byte) map[string][]byte {
	bad := map[string][]byte{"nil": nil, "empty": {}}
	for _, k := range cuts(len(good)-1, 1, 2, 4, 8, 16, len(good)/2, len(good)-1) {
		if k > 0 {
			bad[fmt.Sprintf("first %d of %d bytes", k, len(good))] = slices.Clone(good[:k])
		}
	}
	rng := newRand(e.o.Seed, streamBadSeq)
	for _, k := range []int{16, len(good)} {
		junk := make([]byte, k)
		for i := range junk {
			junk[i] = byte(rng.Uint32())
		}
		bad[fmt.Sprintf("%d random bytes", k)] = junk
	}
	return bad
}

// checkBadSnapshots checks each bad snapshot fails with ErrBadSnapshot and
// leaves the instance as it was.
func checkBadSnapshots(e *env) {
	cut := min(20, len(e.xs)-5)
	good := e.snapshot(e.after(len(e.xs) / 2))
	bad := e.badSnapshots(good)
	for _, name := range slices.Sorted(maps.Keys(bad)) {
		d, twin := e.after(cut), e.after(cut)
		before := e.snapshot(d)
		err := do(func() error { return d.UnmarshalBinary(bad[name]) })
		if why := wrongErr(err, sdk.ErrBadSnapshot); why != "" {
			e.r.Errorf("UnmarshalBinary(%s) %s; want an error wrapping sdk.ErrBadSnapshot", name, why)
			continue
		}
		if !bytes.Equal(e.snapshot(d), before) {
			e.r.Errorf("rejected UnmarshalBinary(%s) changed the snapshot; a rejected snapshot must leave the instance unchanged", name)
		}
		next := e.xs[cut : cut+5]
		if got, want := e.scoreAll(d, next), e.scoreAll(twin, next); firstDiff(got, want) >= 0 {
			e.r.Errorf("after a rejected UnmarshalBinary(%s), the next points scored %v; an untouched instance scored %v", name, got, want)
		}
	}
}
