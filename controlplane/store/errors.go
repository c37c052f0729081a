package store

import "errors"

var (
	// ErrBadCursor is returned by ListAlerts when AlertQuery.Cursor is not one
	// this store issued: malformed, truncated or edited. The API answers it
	// with HTTP 400; the client should drop the cursor and start again.
	ErrBadCursor = errors.New("bad cursor")

	// ErrBadQuery is returned by ListAlerts when an AlertQuery cannot be
	// answered as asked: a negative limit, an unknown order, or From after To.
	// The API answers it with HTTP 400.
	ErrBadQuery = errors.New("bad query")

	// ErrNotFound is returned for an id the store does not have.
	ErrNotFound = errors.New("not found")
)
