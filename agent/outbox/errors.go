package outbox

import (
	"errors"
	"fmt"
)

var (
	// ErrLocked is returned by Open when another process holds the file.
	ErrLocked = errors.New("outbox file is locked by another process")
	// ErrSchema is returned by Open for a file written by a newer schema.
	ErrSchema = errors.New("unsupported outbox schema")
	// ErrClosed is returned by Commit after Close.
	ErrClosed = errors.New("outbox closed")
	// ErrCorruptEntry marks an outbox entry that cannot be decoded.
	ErrCorruptEntry = errors.New("corrupt outbox entry")
)

// CorruptEntryError names an outbox entry that cannot be decoded. Peek
// returns it after the good entries before it; the caller moves the entry
// aside with Quarantine so delivery can go on.
type CorruptEntryError struct{ Seq uint64 }

func (e *CorruptEntryError) Error() string {
	return fmt.Sprintf("outbox entry %d: %v", e.Seq, ErrCorruptEntry)
}

// Unwrap makes errors.Is(err, ErrCorruptEntry) hold.
func (e *CorruptEntryError) Unwrap() error { return ErrCorruptEntry }
