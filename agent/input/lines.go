package input

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// readBufferSize is the bufio buffer; lines that fit are parsed straight
// from it, longer ones are copied into scratch up to MaxLineBytes.
const readBufferSize = 64 << 10

// bom is the UTF-8 byte-order mark some tools write at a file's start.
var bom = []byte("\xef\xbb\xbf")

// lineReader splits a stream into lines and counts every byte, so the
// caller's offsets match the file exactly.
type lineReader struct {
	br     *bufio.Reader
	max    int
	follow bool
	// scratch holds a line that did not fit in br's buffer; reused.
	scratch []byte
}

// rawLine is one line as read; text is only valid until the next call.
type rawLine struct {
	text     []byte // without "\n" or "\r\n"; nil when oversize
	size     int64  // bytes consumed, terminator included
	oversize bool
}

// next returns the next line, or io.EOF when no complete line is left: at
// the end of the file, or before a final line without '\n' in follow mode.
// After io.EOF the bufio.Reader has run ahead and the caller must reset it.
func (lr *lineReader) next() (rawLine, error) {
	chunk, err := lr.br.ReadSlice('\n')
	if err == nil {
		return lr.finish(chunk, int64(len(chunk)), false), nil
	}
	return lr.long(chunk, err)
}

// long assembles a line spanning several buffer fills. Past the limit it
// stops copying but keeps reading to the '\n', so memory stays bounded.
func (lr *lineReader) long(chunk []byte, err error) (rawLine, error) {
	lr.scratch = lr.scratch[:0]
	var size int64
	oversize := false
	for {
		size += int64(len(chunk))
		// +2 leaves room for a "\r\n" that finish trims before its check.
		if !oversize && len(lr.scratch)+len(chunk) <= lr.max+2 {
			lr.scratch = append(lr.scratch, chunk...)
		} else {
			oversize = true
		}
		switch {
		case err == nil, err == io.EOF && size > 0 && !lr.follow:
			return lr.finish(lr.scratch, size, oversize), nil
		case !errors.Is(err, bufio.ErrBufferFull):
			return rawLine{}, err
		}
		chunk, err = lr.br.ReadSlice('\n')
	}
}

func (lr *lineReader) finish(b []byte, size int64, oversize bool) rawLine {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	b = bytes.TrimSuffix(b, []byte{'\r'})
	if oversize || len(b) > lr.max {
		return rawLine{size: size, oversize: true}
	}
	return rawLine{text: b, size: size}
}

func trimBOM(b []byte) []byte {
	return bytes.TrimPrefix(b, bom)
}

// isBlank reports a line to skip silently; only spaces count as blank.
func isBlank(b []byte) bool {
	return len(bytes.TrimSpace(b)) == 0
}
