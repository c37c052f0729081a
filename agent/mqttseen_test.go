package agent

import (
	"maps"
	"testing"
)

// TestSeenRing: the ring remembers at least keep fingerprints, by whole
// batches, evicts the oldest batches beyond that from memory and, through
// commit's deletes, from the outbox, and a reload restores what the
// outbox holds.
func TestSeenRing(t *testing.T) {
	store := map[string][]byte{}
	r := newSeenRing("in", 4)
	commit := func(fps ...uint64) {
		key, value, deletes := r.commit(fps)
		store[key] = value
		for _, k := range deletes {
			delete(store, k)
		}
		r.advance(fps)
	}
	commit(1, 2)
	commit(3)
	commit(4, 5) // dropping {1,2} would leave 3 < 4: kept
	for _, fp := range []uint64{1, 2, 3, 4, 5} {
		if !r.has(fp) {
			t.Errorf("forgot %d too early", fp)
		}
	}
	commit(6, 7) // {1,2} and {3} go: 4,5,6,7 are the 4 to keep
	if r.has(1) || r.has(2) || r.has(3) || !r.has(4) || !r.has(7) {
		t.Errorf("after eviction: has 1 %v, 2 %v, 3 %v, 4 %v, 7 %v", r.has(1), r.has(2), r.has(3), r.has(4), r.has(7))
	}
	if len(store) != 2 {
		t.Errorf("outbox holds %d slots, want 2: %q", len(store), store)
	}
	again := newSeenRing("in", 4)
	if err := again.load(func(string) (map[string][]byte, error) { return maps.Clone(store), nil }); err != nil {
		t.Fatal(err)
	}
	for _, fp := range []uint64{4, 5, 6, 7} {
		if !again.has(fp) {
			t.Errorf("reloaded ring lacks %d", fp)
		}
	}
	if again.batch != r.batch {
		t.Errorf("reloaded next batch %d, want %d", again.batch, r.batch)
	}
	if fingerprint("a", []byte("bc")) == fingerprint("ab", []byte("c")) {
		t.Error("topic and payload run together in the fingerprint")
	}
}
