package outbox

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SetAside describes an outbox file that could not be used and was moved
// out of the way.
type SetAside struct {
	// Path is where the file is now, beside the outbox:
	// agent.db.corrupt-20260301T120000Z.
	Path string
	// Cause is what was wrong with it.
	Cause error
}

// OpenOrSetAside opens the outbox at path like Open. If the file is corrupt
// — bbolt refuses it, it fails bbolt's consistency check, or reading it
// panics — it is renamed aside (see SetAside) and a fresh outbox is created
// in its place, so the agent keeps detecting and buffering: a corrupt file
// must not keep an unattended agent down. What the old file held is not
// delivered; it stays on disk for inspection.
//
// A file locked by another agent, one written by a newer schema, or one the
// agent may not read is not corrupt: those fail as with Open.
func OpenOrSetAside(path string) (*Store, *SetAside, error) {
	s, cause := openChecked(path)
	if cause == nil {
		return s, nil, nil
	}
	if errors.Is(cause, ErrLocked) || errors.Is(cause, ErrSchema) || errors.Is(cause, fs.ErrPermission) {
		return nil, nil, cause
	}
	aside := fmt.Sprintf("%s.corrupt-%s", path, time.Now().UTC().Format("20060102T150405.000000000Z"))
	if err := os.Rename(path, aside); err != nil {
		return nil, nil, fmt.Errorf("outbox %s is unusable (%v) and cannot be moved aside: %w", path, cause, err)
	}
	s, err := Open(path)
	if err != nil {
		return nil, nil, err
	}
	return s, &SetAside{Path: aside, Cause: cause}, nil
}

// openChecked opens path after bbolt's consistency check over every page,
// so that corruption shows now, as an error, rather than later as a panic
// in the middle of a commit. A panic while opening is returned as an error.
func openChecked(path string) (s *Store, err error) {
	// A page beyond the end of a truncated file faults (SIGBUS) when read
	// through bbolt's memory map; this makes that a panic, recovered here,
	// rather than the end of the process.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("open outbox %s: reading it failed: %v", path, r)
		}
	}()
	return open(path, true)
}

// check returns the first inconsistency found in the file, or nil. It reads
// every key and value in this goroutine first, where a fault is a panic
// (see openChecked), then runs bbolt's consistency check, which reads in
// a goroutine of its own and so must find every page readable.
func (s *Store) check() error {
	return s.db.View(func(tx *bolt.Tx) error {
		var sum uint32
		err := tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				sum = crc32.Update(crc32.Update(sum, crc32.IEEETable, k), crc32.IEEETable, v)
				return nil
			})
		})
		if err != nil {
			return fmt.Errorf("read every entry: %w", err)
		}
		var first error
		for err := range tx.Check() { // drained: the checker waits on each send
			if first == nil {
				first = fmt.Errorf("consistency check: %w", err)
			}
		}
		return first
	})
}
