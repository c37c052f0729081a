package input

import (
	"bufio"
	"fmt"
	"io"
)

// Resume resumes after a checkpoint: offset and line as returned in a Batch.
// An offset beyond the file's size, or one that does not follow a '\n',
// means the file was truncated or replaced: Resume returns ErrTruncated and
// leaves the position alone, and the caller decides (the agent restarts
// from 0). For CSV the header is re-read from the file's start, so the
// column mapping matches the file as it is now.
func (r *Reader) Resume(offset, line int64) error {
	if r.closed {
		return ErrClosed
	}
	if offset < 0 || line < 0 {
		return fmt.Errorf("seek %s: negative offset %d or line %d", r.path, offset, line)
	}
	if err := r.checkBoundary(offset); err != nil {
		return err
	}
	if r.csv != nil {
		if err := r.seekHeader(offset); err != nil {
			return fmt.Errorf("input %s: %w", r.path, err)
		}
	}
	r.offset, r.line, r.rewind = offset, line, true
	return nil
}

// checkBoundary verifies that offset can be a line start of the file.
func (r *Reader) checkBoundary(offset int64) error {
	fi, err := r.f.Stat()
	if err != nil {
		return fmt.Errorf("seek %s: %w", r.path, err)
	}
	if offset > fi.Size() {
		return fmt.Errorf("seek %s to offset %d: file has %d bytes: %w", r.path, offset, fi.Size(), ErrTruncated)
	}
	// At the very end a final line may have lacked '\n' (consumed without Follow).
	if offset == 0 || offset == fi.Size() {
		return nil
	}
	var prev [1]byte
	if _, err := r.f.ReadAt(prev[:], offset-1); err != nil {
		return fmt.Errorf("seek %s: %w", r.path, err)
	}
	if prev[0] != '\n' {
		return fmt.Errorf("seek %s: offset %d is not at a line start: %w", r.path, offset, ErrTruncated)
	}
	return nil
}

// seekHeader re-reads the header from the bytes before offset, without
// moving the main reader. A checkpoint taken before the header was seen
// leaves the header pending.
// On error the reader is left as it was.
func (r *Reader) seekHeader(offset int64) error {
	lr := lineReader{br: bufio.NewReader(io.NewSectionReader(r.f, 0, offset)), max: r.opts.MaxLineBytes}
	for start := true; ; start = false {
		ln, err := lr.next()
		if err == io.EOF {
			r.atHeader = true
			return nil
		}
		if err != nil {
			return err
		}
		text := ln.text
		if start {
			text = trimBOM(text)
		}
		found, err := r.takeHeader(ln.oversize, text)
		if err != nil {
			return err
		}
		if found {
			r.atHeader = false
			return nil
		}
	}
}
