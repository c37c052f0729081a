package input

import "errors"

var (
	// ErrNoHeader is returned by OpenFile when a CSV file without Follow has
	// no header line (it is empty or blank), and by OpenFile, Resume and Next
	// when the header line is longer than MaxLineBytes or badly quoted.
	ErrNoHeader = errors.New("no csv header line")

	// ErrTruncated is returned by Resume when the checkpointed offset lies
	// beyond the file's size or not at a line start, and by Next when the
	// file shrank below the current offset: the file was truncated or
	// replaced. Callers usually Resume(0, 0) and read it again.
	ErrTruncated = errors.New("input file truncated or replaced")

	// ErrMissingColumn is returned when the CSV header lacks the timestamp
	// column or a requested field, or has no value column at all.
	ErrMissingColumn = errors.New("missing column")

	// ErrUnknownFormat is returned by ParseFormat and OpenFile for a format
	// other than csv or jsonl.
	ErrUnknownFormat = errors.New("unknown input format")

	// ErrInvalidOptions is returned by OpenFile for options that cannot
	// work, such as JSONL without Fields or an unusable CSV separator.
	ErrInvalidOptions = errors.New("invalid input options")

	// ErrBadTimestamp is wrapped by every error ParseTimestamp returns.
	ErrBadTimestamp = errors.New("bad timestamp")

	// ErrClosed is returned by Next and Resume after Close.
	ErrClosed = errors.New("input reader closed")
)
