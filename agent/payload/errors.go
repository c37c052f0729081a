package payload

import (
	"fmt"
	"strconv"
)

// Error is why a payload, or a part of it, could not be used.
type Error struct {
	// Reason is one of agent/input's Reason* constants, fit for a metric
	// label.
	Reason string
	// Err names the part (line, record, key or column) and the problem.
	Err error
	// Skipped is how many parts of the payload (CSV or influx lines, SenML
	// records) were dropped, Err describing the first; 1 for a payload
	// that is used whole or not at all.
	Skipped int
}

// Error returns the message of Err.
func (e *Error) Error() string {
	if e == nil || e.Err == nil {
		return "<nil>"
	}
	return e.Err.Error()
}

// Unwrap returns Err, so errors.Is(err, input.ErrBadTimestamp) works.
func (e *Error) Unwrap() error { return e.Err }

func newError(reason, format string, args ...any) *Error {
	return &Error{Reason: reason, Err: fmt.Errorf(format, args...), Skipped: 1}
}

// at prefixes the message with where the problem is; the value parsers
// cannot know the line or key they were given.
func (e *Error) at(format string, args ...any) *Error {
	e.Err = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), e.Err)
	return e
}

// skipped collects the bad parts of a payload of several parts.
type skipped struct {
	first *Error
	n     int
}

func (s *skipped) add(e *Error) {
	if s.first == nil {
		s.first = e
	}
	s.n++
}

// err is the first bad part, counting all of them, or nil.
func (s *skipped) err() *Error {
	if s.first != nil {
		s.first.Skipped = s.n
	}
	return s.first
}

// maxQuoted bounds how much of a bad value a message repeats, so a megabyte
// of garbage does not end up in every log line.
const maxQuoted = 64

func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:maxQuoted]) + "..."
}
