// Package input reads measurement records from CSV and JSON-lines files and
// reports, with every batch, the exact byte offset and line number to
// checkpoint, so the agent can resume after a crash without losing or
// repeating lines.
//
// Lines and offsets: a line ends with '\n' (a '\r' before it is dropped).
// Offsets count every byte of a consumed line, terminator included, plus a
// UTF-8 byte-order mark at the file's start. With Follow set, a last line
// without '\n' is still being written and is left for a later Next; without
// Follow it is consumed at EOF.
//
// CSV: the first non-blank line is the header. Fields are trimmed of spaces
// and may be quoted, but a quoted field must not contain a newline: such a
// line is reported as malformed and the reader carries on with the next one.
//
// Bad lines never stop the reader: each is returned as a BadRecord with one
// of the Reason* constants, so the caller can count it and move on.
//
// Ownership: a Reader owns its open file until Close and is not safe for
// concurrent use. Slices in a returned Batch belong to the caller.
package input
