package input

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
)

// lineParser turns one non-blank line into a record or says why it cannot.
type lineParser interface {
	parse(line int64, text []byte) (Record, *BadRecord)
}

// Reader reads records from one file, tracking the byte offset and line
// number after the last consumed line. It is not safe for concurrent use.
type Reader struct {
	path   string
	opts   FileOptions
	f      *os.File
	lines  lineReader
	parser lineParser
	csv    *csvParser // nil for JSONL
	offset int64
	line   int64
	// atHeader: the next non-blank line is the CSV header.
	atHeader bool
	// rewind: the bufio.Reader ran past offset and must restart there.
	rewind bool
	closed bool
}

// OpenFile opens path and, for CSV, reads the header. With Follow and a file
// that has no complete line yet, the header is read by the first Next that
// finds one. A missing file gives an error wrapping fs.ErrNotExist; a header
// without the timestamp column or a field gives ErrMissingColumn; an empty
// CSV file without Follow gives ErrNoHeader.
func OpenFile(path string, opts FileOptions) (*Reader, error) {
	opts, err := opts.normalize()
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *fs.PathError already names the path
	}
	r := &Reader{path: path, opts: opts, f: f,
		lines: lineReader{br: bufio.NewReaderSize(f, readBufferSize), max: opts.MaxLineBytes, follow: opts.Follow}}
	if opts.Format == FormatJSONL {
		r.parser = newJSONParser(opts)
		return r, nil
	}
	r.csv = newCSVParser(opts)
	r.parser, r.atHeader = r.csv, true
	if err := r.readHeader(); err != nil {
		f.Close()
		return nil, fmt.Errorf("input %s: %w", path, err)
	}
	return r, nil
}

// readHeader consumes lines up to and including the CSV header.
func (r *Reader) readHeader() error {
	for r.atHeader {
		ln, err := r.lines.next()
		if err == io.EOF && r.opts.Follow {
			r.rewind = true
			return nil
		}
		if err == io.EOF {
			return ErrNoHeader
		}
		if err != nil {
			return err
		}
		if err := r.consume(&Batch{}, ln); err != nil {
			return err
		}
	}
	return nil
}

// Fields returns the value fields in use, in Record.Values order. For a CSV
// file opened with Follow, no Fields and no header yet, it is nil until
// Next reads the header.
func (r *Reader) Fields() []string {
	if r.csv != nil {
		return slices.Clone(r.csv.fields)
	}
	return slices.Clone(r.opts.Fields)
}

// Close closes the file. Further Next and Resume calls return ErrClosed.
func (r *Reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	return r.f.Close()
}

// Stat describes the open file, for recording which file a checkpoint
// belongs to.
func (r *Reader) Stat() (os.FileInfo, error) {
	if r.closed {
		return nil, ErrClosed
	}
	return r.f.Stat()
}
