package outbox

import "errors"

var (
	// ErrLocked is returned by Open when another process holds the file.
	ErrLocked = errors.New("outbox file is locked by another process")
	// ErrSchema is returned by Open for a file written by a newer schema.
	ErrSchema = errors.New("unsupported outbox schema")
	// ErrCorruptEntry marks an outbox entry that cannot be decoded.
	ErrCorruptEntry = errors.New("corrupt outbox entry")
)
