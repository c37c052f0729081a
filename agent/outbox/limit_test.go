package outbox_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/internal/testkit"
)

// entrySize is the bytes one entry of entries() takes in the outbox: the
// 8-byte key, kind, id length, id "x-NN" and payload {"n":N}.
func entrySize(t *testing.T) int64 {
	t.Helper()
	s := openStore(t, "")
	mustCommit(t, s, outbox.Commit{Entries: []outbox.Entry{{Kind: outbox.KindAlert, ID: "x-10", Payload: []byte(`{"n":10}`)}}})
	return s.Bytes()
}

func TestDropOldest(t *testing.T) {
	size := entrySize(t)
	path := filepath.Join(t.TempDir(), "agent.db")
	s := openStore(t, path)
	s.SetLimit(10*size, 0, outbox.DropOldest)
	for i := range 30 {
		mustCommit(t, s, outbox.Commit{Entries: []outbox.Entry{{Kind: outbox.KindAlert, ID: fmt.Sprintf("x-%02d", i), Payload: []byte(fmt.Sprintf(`{"n":%02d}`, i))}}})
	}
	got := ids(mustPeek(t, s, 100))
	if fmt.Sprint(got) != "[x-20 x-21 x-22 x-23 x-24 x-25 x-26 x-27 x-28 x-29]" {
		t.Errorf("entries kept: %v, want the newest 10", got)
	}
	if s.Dropped() != 20 || s.Depth() != 10 || s.Bytes() != 10*size {
		t.Errorf("dropped %d, depth %d, bytes %d; want 20, 10, %d", s.Dropped(), s.Depth(), s.Bytes(), 10*size)
	}

	// A batch larger than the limit is kept whole: only older entries go.
	mustCommit(t, s, outbox.Commit{Entries: entries("big", 12)})
	if got := ids(mustPeek(t, s, 100)); len(got) != 12 || got[0] != "big-0" || s.Dropped() != 30 {
		t.Errorf("after a 12-entry batch: %v, dropped %d; want the batch alone, 30", got, s.Dropped())
	}

	// The byte count survives a restart.
	bytes := s.Bytes()
	must(t, s.Close())
	s = openStore(t, path)
	if s.Bytes() != bytes || s.Depth() != 12 {
		t.Errorf("after reopening: bytes %d depth %d, want %d 12", s.Bytes(), s.Depth(), bytes)
	}
}

func TestPause(t *testing.T) {
	s := openStore(t, "")
	mustCommit(t, s, outbox.Commit{Entries: entries("x", 5)})
	s.SetLimit(s.Bytes(), 0, outbox.Pause) // full
	done := make(chan error, 1)
	go func() { done <- s.Commit(outbox.Commit{Entries: entries("y", 1)}) }()
	testkit.WaitFor(t, 5*time.Second, "the commit to be held", s.Paused)
	select {
	case err := <-done:
		t.Fatalf("commit at the limit returned %v, want it held", err)
	default:
	}
	// Positions and states still go through.
	mustCommit(t, s, outbox.Commit{Input: "in", Position: outbox.Position{Offset: 7}})

	es := mustPeek(t, s, 2)
	must(t, s.Delete([]uint64{es[0].Seq, es[1].Seq}))
	if err := <-done; err != nil {
		t.Fatalf("held commit: %v", err)
	}
	if s.Paused() || s.Dropped() != 0 || s.Depth() != 4 {
		t.Errorf("paused %v, dropped %d, depth %d; want false, 0, 4", s.Paused(), s.Dropped(), s.Depth())
	}

	// Closing the store releases a held commit with ErrClosed.
	mustCommit(t, s, outbox.Commit{Entries: entries("z", 1)})
	go func() { done <- s.Commit(outbox.Commit{Entries: entries("w", 1)}) }()
	testkit.WaitFor(t, 5*time.Second, "the commit to be held", s.Paused)
	must(t, s.Close())
	if err := <-done; !errors.Is(err, outbox.ErrClosed) {
		t.Errorf("held commit after Close = %v, want ErrClosed", err)
	}
}

func TestParseFullPolicy(t *testing.T) {
	for _, ok := range []string{"drop_oldest", "pause"} {
		if p, err := outbox.ParseFullPolicy(ok); err != nil || string(p) != ok {
			t.Errorf("ParseFullPolicy(%q) = %q, %v", ok, p, err)
		}
	}
	if _, err := outbox.ParseFullPolicy("block"); err == nil || err.Error() != `"block" is not one of drop_oldest, pause` {
		t.Errorf("ParseFullPolicy(block) = %v", err)
	}
}

// TestDropByAge: under DropOldest, entries older than the age limit go
// with the next commit, or with Expire when nothing is committed.
func TestDropByAge(t *testing.T) {
	s := openStore(t, "")
	s.SetLimit(0, 300*time.Millisecond, outbox.DropOldest)
	for range 3 {
		mustCommit(t, s, outbox.Commit{Entries: entries("a", 2)})
	}
	if age := s.OldestAge(); age <= 0 || age > time.Minute {
		t.Errorf("OldestAge = %v with entries just committed", age)
	}
	time.Sleep(350 * time.Millisecond)
	mustCommit(t, s, outbox.Commit{Entries: entries("b", 2)})
	if got := fmt.Sprint(ids(mustPeek(t, s, 10))); got != "[b-0 b-1]" || s.DroppedAged() != 6 || s.Dropped() != 6 {
		t.Errorf("after the age limit: %s, dropped %d (%d for age); want [b-0 b-1], 6 for age", got, s.Dropped(), s.DroppedAged())
	}
	if age := s.OldestAge(); age >= 300*time.Millisecond {
		t.Errorf("OldestAge = %v, want b's, under the limit", age)
	}

	time.Sleep(350 * time.Millisecond)
	must(t, s.Expire())
	if s.Depth() != 0 || s.Bytes() != 0 || s.DroppedAged() != 8 || s.OldestAge() != 0 {
		t.Errorf("after Expire: depth %d, bytes %d, dropped for age %d, oldest age %v; want 0, 0, 8, 0",
			s.Depth(), s.Bytes(), s.DroppedAged(), s.OldestAge())
	}
}

// TestPauseByAge: under Pause, an entry past the age limit holds commits
// until it is delivered; nothing is dropped.
func TestPauseByAge(t *testing.T) {
	s := openStore(t, "")
	s.SetLimit(0, 200*time.Millisecond, outbox.Pause)
	mustCommit(t, s, outbox.Commit{Entries: entries("a", 1)})
	time.Sleep(250 * time.Millisecond)
	done := make(chan error, 1)
	go func() { done <- s.Commit(outbox.Commit{Entries: entries("b", 1)}) }()
	testkit.WaitFor(t, 5*time.Second, "the commit to be held", s.Paused)
	must(t, s.Delete([]uint64{mustPeek(t, s, 1)[0].Seq}))
	if err := <-done; err != nil {
		t.Fatalf("held commit: %v", err)
	}
	if got := fmt.Sprint(ids(mustPeek(t, s, 10))); got != "[b-0]" || s.Dropped() != 0 {
		t.Errorf("entries %s, dropped %d; want [b-0], 0", got, s.Dropped())
	}
}

// TestAgeOfOlderFiles: entries from before commit times were recorded are
// taken as committed when the file is opened, not as infinitely old.
func TestAgeOfOlderFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.db")
	s := openStore(t, path)
	mustCommit(t, s, outbox.Commit{Entries: entries("old", 3)})
	must(t, s.Close())
	db, err := bolt.Open(path, 0o600, nil)
	must(t, err)
	must(t, db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("times")) }))
	must(t, db.Close())

	s = openStore(t, path)
	s.SetLimit(0, time.Hour, outbox.DropOldest)
	mustCommit(t, s, outbox.Commit{Entries: entries("new", 1)})
	if s.Depth() != 4 || s.DroppedAged() != 0 || s.OldestAge() > time.Minute {
		t.Errorf("depth %d, dropped for age %d, oldest age %v; want 4, 0, about 0", s.Depth(), s.DroppedAged(), s.OldestAge())
	}
}

// TestFailedCommitKeepsAge: a commit that fails changes nothing, the age
// of the oldest entry included.
func TestFailedCommitKeepsAge(t *testing.T) {
	s := openStore(t, "")
	mustCommit(t, s, outbox.Commit{Entries: entries("a", 1)})
	before := s.OldestAge()
	if err := s.Commit(outbox.Commit{Entries: []outbox.Entry{{Kind: outbox.KindAlert}}}); err == nil {
		t.Fatal("a commit with an entry without an id succeeded")
	}
	if after := s.OldestAge(); after < before || after == 0 {
		t.Errorf("OldestAge after a failed commit = %v, want at least %v", after, before)
	}
}
