package outbox_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/outbox"
)

// TestOpenOrSetAside: a corrupt outbox file is moved aside, unchanged, and
// a fresh outbox takes its place; a healthy one is opened as it is.
func TestOpenOrSetAside(t *testing.T) {
	tests := []struct {
		name    string
		corrupt func(t *testing.T, path string) // nil: healthy
	}{
		{name: "healthy"},
		{name: "not a bbolt file", corrupt: func(t *testing.T, path string) {
			must(t, os.WriteFile(path, bytes.Repeat([]byte("not a database "), 1000), 0o600))
		}},
		{name: "truncated", corrupt: func(t *testing.T, path string) { must(t, os.Truncate(path, 5*4096)) }},
		{name: "both meta pages overwritten", corrupt: func(t *testing.T, path string) { overwrite(t, path, 0, 2*4096) }},
		{name: "data pages overwritten", corrupt: func(t *testing.T, path string) { overwrite(t, path, 4*4096, 8*4096) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "agent.db")
			s, err := outbox.Open(path)
			must(t, err)
			for range 20 { // several pages of entries
				mustCommit(t, s, outbox.Commit{Entries: entries("e", 100)})
			}
			must(t, s.Close())
			if tc.corrupt != nil {
				tc.corrupt(t, path)
			}
			before, err := os.ReadFile(path)
			must(t, err)

			s, aside, err := outbox.OpenOrSetAside(path)
			if err != nil {
				t.Fatalf("OpenOrSetAside: %v", err)
			}
			defer s.Close()
			if tc.corrupt == nil {
				if aside != nil || s.Depth() != 2000 {
					t.Errorf("healthy file: set aside %+v, depth %d; want opened with its 2000 entries", aside, s.Depth())
				}
				return
			}
			if aside == nil {
				t.Fatal("corrupt file not set aside")
			}
			t.Logf("cause: %v", aside.Cause)
			if s.Depth() != 0 || aside.Cause == nil || !strings.HasPrefix(aside.Path, path+".corrupt-") {
				t.Errorf("set aside to %s (%v), fresh depth %d; want %s.corrupt-…, a cause, 0", aside.Path, aside.Cause, s.Depth(), path)
			}
			if kept, err := os.ReadFile(aside.Path); err != nil || !bytes.Equal(kept, before) {
				t.Errorf("the set-aside file differs from the corrupt one (%v)", err)
			}
			mustCommit(t, s, outbox.Commit{Entries: entries("new", 3)}) // and the fresh one works
			if s.Depth() != 3 {
				t.Errorf("depth after a commit to the fresh outbox = %d, want 3", s.Depth())
			}
		})
	}
}

// TestOpenOrSetAsideEmpty: an empty file (created, never written: a crash
// at first start) is a new outbox, not a corrupt one.
func TestOpenOrSetAsideEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.db")
	must(t, os.WriteFile(path, nil, 0o600))
	s, aside, err := outbox.OpenOrSetAside(path)
	if err != nil || aside != nil {
		t.Fatalf("OpenOrSetAside = %+v, %v; want a new outbox", aside, err)
	}
	mustCommit(t, s, outbox.Commit{Entries: entries("e", 1)})
	must(t, s.Close())
}

// TestOpenOrSetAsideKeepsNonCorrupt: a locked file or one from a newer
// schema is not corrupt; it stays where it is and the error says why.
func TestOpenOrSetAsideKeepsNonCorrupt(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  error
	}{
		{"newer schema", func(t *testing.T, path string) { writeSchema(t, path, binary.BigEndian.AppendUint32(nil, 2)) }, outbox.ErrSchema},
		{"locked by an open store", func(t *testing.T, path string) { openStore(t, path) }, outbox.ErrLocked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "agent.db")
			tc.setup(t, path)
			_, _, err := outbox.OpenOrSetAside(path)
			if !errors.Is(err, tc.want) {
				t.Errorf("OpenOrSetAside = %v, want %v", err, tc.want)
			}
			if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != 1 {
				t.Errorf("files in the data dir: %v, want agent.db alone", files)
			}
		})
	}
}

// overwrite fills bytes [from, to) of path with 0xAB.
func overwrite(t *testing.T, path string, from, to int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	must(t, err)
	defer f.Close()
	_, err = f.WriteAt(bytes.Repeat([]byte{0xAB}, int(to-from)), from)
	must(t, err)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
