package protocol

import "errors"

var (
	// ErrUnsupportedVersion is returned when a message's "v" field is missing
	// or newer than this build understands.
	ErrUnsupportedVersion = errors.New("unsupported message version")

	// ErrInvalidMessage is returned when a message decodes but lacks a
	// required field or carries an out-of-range value.
	ErrInvalidMessage = errors.New("invalid message")
)
