package outbox_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/pynomaly/pynomaly/agent/outbox"
)

// openStore opens path (a new file under t.TempDir when empty) and closes
// it at the end of the test.
func openStore(t testing.TB, path string) *outbox.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "agent.db")
	}
	s, err := outbox.Open(path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func entries(prefix string, n int) []outbox.Entry {
	out := make([]outbox.Entry, n)
	for i := range out {
		out[i] = outbox.Entry{Kind: outbox.KindAlert, ID: fmt.Sprintf("%s-%d", prefix, i), Payload: []byte(fmt.Sprintf(`{"n":%d}`, i))}
	}
	return out
}

func ids(es []outbox.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func mustCommit(t testing.TB, s *outbox.Store, c outbox.Commit) {
	t.Helper()
	if err := s.Commit(c); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

func mustPeek(t testing.TB, s *outbox.Store, max int) []outbox.Entry {
	t.Helper()
	es, err := s.Peek(max)
	if err != nil {
		t.Fatalf("Peek: %v", err)
	}
	return es
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  error
	}{
		{"newer schema", func(t *testing.T, path string) { writeSchema(t, path, binary.BigEndian.AppendUint32(nil, 2)) }, outbox.ErrSchema},
		{"malformed schema", func(t *testing.T, path string) { writeSchema(t, path, []byte{0, 1}) }, outbox.ErrSchema},
		{"locked by an open store", func(t *testing.T, path string) { openStore(t, path) }, outbox.ErrLocked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "agent.db")
			tc.setup(t, path)
			opened := make(chan error, 1)
			go func() {
				s, err := outbox.Open(path)
				if err == nil {
					_ = s.Close()
				}
				opened <- err
			}()
			var err error
			select {
			case err = <-opened:
			case <-time.After(10 * time.Second): // a hang guard, not a performance target
				t.Fatal("Open did not return within 10s")
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open = %v, want %v", err, tc.want)
			}
			if !bytes.Contains([]byte(err.Error()), []byte(path)) {
				t.Errorf("error %q does not name %s", err, path)
			}
		})
	}
}

// writeSchema creates a bbolt file whose meta/schema holds v.
func writeSchema(t *testing.T, path string, v []byte) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		return b.Put([]byte("schema"), v)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenNotABoltFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.db")
	if err := os.WriteFile(path, bytes.Repeat([]byte("garbage!"), 1024), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := outbox.Open(path)
	if err == nil {
		_ = s.Close()
		t.Fatal("Open(garbage) succeeded")
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.db")
	s, err := outbox.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mustCommit(t, s, outbox.Commit{Entries: entries("a", 5), Input: "in", Position: outbox.Position{Offset: 100, Line: 7}, States: map[string][]byte{"in/x": {1, 2}}})
	if err := s.Delete([]uint64{mustPeek(t, s, 1)[0].Seq}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openStore(t, path)
	if got := s.Depth(); got != 4 {
		t.Errorf("Depth after reopen = %d, want 4", got)
	}
	if got := fmt.Sprint(ids(mustPeek(t, s, 10))); got != "[a-1 a-2 a-3 a-4]" {
		t.Errorf("Peek after reopen = %s", got)
	}
	pos, ok, err := s.Checkpoint("in")
	off, line := pos.Offset, pos.Line
	if err != nil || !ok || off != 100 || line != 7 {
		t.Errorf("Checkpoint after reopen = %d, %d, %v, %v; want 100, 7, true, nil", off, line, ok, err)
	}
	// Sequence numbers keep growing, so new entries sort after old ones.
	mustCommit(t, s, outbox.Commit{Entries: entries("b", 1)})
	if got := fmt.Sprint(ids(mustPeek(t, s, 10))); got != "[a-1 a-2 a-3 a-4 b-0]" {
		t.Errorf("Peek after a new commit = %s", got)
	}
}

func TestCorruptEntryIsQuarantined(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.db")
	s, err := outbox.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mustCommit(t, s, outbox.Commit{Entries: entries("a", 3)})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		// Entry 2 (a-1): kind 1, id length 200, but only 3 bytes follow.
		return tx.Bucket([]byte("outbox")).Put(binary.BigEndian.AppendUint64(nil, 2), []byte{1, 200, 'a', 'b', 'c'})
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	s = openStore(t, path)
	got, err := s.Peek(10)
	var ce *outbox.CorruptEntryError
	if !errors.As(err, &ce) || ce.Seq != 2 || !errors.Is(err, outbox.ErrCorruptEntry) {
		t.Fatalf("Peek error = %v, want a CorruptEntryError for entry 2", err)
	}
	if fmt.Sprint(ids(got)) != "[a-0]" {
		t.Errorf("Peek returned %v before the corrupt entry, want [a-0]", ids(got))
	}
	if err := s.Quarantine(ce.Seq); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ids(mustPeek(t, s, 10))); got != "[a-0 a-2]" || s.Depth() != 2 {
		t.Errorf("after quarantine: Peek = %s, Depth = %d; want [a-0 a-2], 2", got, s.Depth())
	}
	if n, err := s.Quarantined(); n != 1 || err != nil {
		t.Errorf("Quarantined = %d, %v; want 1", n, err)
	}
}

func TestOwner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.db")
	s := openStore(t, path)
	if id, err := s.Owner(); id != "" || err != nil {
		t.Fatalf("new outbox Owner = %q, %v; want empty", id, err)
	}
	if err := s.SetOwner("edge-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if id, err := openStore(t, path).Owner(); id != "edge-1" || err != nil {
		t.Errorf("Owner after reopen = %q, %v; want edge-1", id, err)
	}
}
