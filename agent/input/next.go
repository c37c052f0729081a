package input

import (
	"fmt"
	"io"
)

// Next consumes up to max complete lines (at least one; bad lines count,
// blank lines and the CSV header do not) and returns them. When no complete
// line is left it returns a Batch without records or bad records together
// with io.EOF; Offset and Line then still say where the reader stands,
// past any blank lines it skipped. A later Next sees lines appended since.
// If the file has shrunk below the current offset Next returns ErrTruncated.
// A batch holding records or bad records always comes with a nil error.
func (r *Reader) Next(max int) (Batch, error) {
	if err := r.restart(); err != nil {
		return r.batch(Batch{}), err
	}
	if max < 1 {
		max = 1
	}
	var b Batch
	for len(b.Records)+len(b.Bad) < max {
		ln, err := r.lines.next()
		if err != nil {
			return r.stop(b, err)
		}
		if err := r.consume(&b, ln); err != nil {
			r.rewind = true
			return r.batch(b), fmt.Errorf("input %s: %w", r.path, err)
		}
	}
	return r.batch(b), nil
}

// restart puts the bufio.Reader back at offset after it ran ahead, so data
// appended to the file since is seen rather than a cached EOF.
func (r *Reader) restart() error {
	if r.closed {
		return ErrClosed
	}
	if !r.rewind {
		return nil
	}
	if _, err := r.f.Seek(r.offset, io.SeekStart); err != nil {
		return fmt.Errorf("seek %s: %w", r.path, err)
	}
	r.lines.br.Reset(r.f)
	r.rewind = false
	return nil
}

// stop ends a batch at the end of the readable data or on a read error.
// A batch with lines goes out without the error, so a caller that drops
// batches on error loses nothing; the next call meets the error again.
func (r *Reader) stop(b Batch, err error) (Batch, error) {
	r.rewind = true
	switch {
	case len(b.Records)+len(b.Bad) > 0:
		return r.batch(b), nil
	case err != io.EOF:
		return r.batch(b), fmt.Errorf("read %s: %w", r.path, err)
	}
	if fi, serr := r.f.Stat(); serr == nil && fi.Size() < r.offset {
		return r.batch(b), fmt.Errorf("input %s: size %d below offset %d: %w", r.path, fi.Size(), r.offset, ErrTruncated)
	}
	return r.batch(b), io.EOF
}

func (r *Reader) batch(b Batch) Batch {
	b.Offset, b.Line = r.offset, r.line
	return b
}

// consume handles one line and advances the position past it. It returns
// an error, without advancing, only for an unusable CSV header.
func (r *Reader) consume(b *Batch, ln rawLine) error {
	no := r.line + 1
	text := ln.text
	if r.offset == 0 {
		text = trimBOM(text)
	}
	switch {
	case r.atHeader:
		found, err := r.takeHeader(ln.oversize, text)
		if err != nil {
			return err
		}
		r.atHeader = !found
	case ln.oversize:
		b.Bad = append(b.Bad, BadRecord{Line: no, Reason: ReasonOversize,
			Err: fmt.Errorf("line %d: longer than %d bytes", no, r.opts.MaxLineBytes)})
	case isBlank(text):
	default:
		r.add(b, no, text)
	}
	r.offset += ln.size
	r.line = no
	return nil
}

func (r *Reader) add(b *Batch, no int64, text []byte) {
	rec, bad := r.parser.parse(no, text)
	if bad != nil {
		b.Bad = append(b.Bad, *bad)
		return
	}
	b.Records = append(b.Records, rec)
}

// takeHeader reports whether the line was the header; blank lines before
// it are skipped.
func (r *Reader) takeHeader(oversize bool, text []byte) (bool, error) {
	if oversize {
		return false, fmt.Errorf("%w: header line longer than %d bytes", ErrNoHeader, r.opts.MaxLineBytes)
	}
	if isBlank(text) {
		return false, nil
	}
	return true, r.csv.setHeader(text)
}
