package input

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
)

// fingerprintBytes is how much of the file before a checkpoint its
// fingerprint covers: enough to hold a timestamp or two, so that two files
// sharing only a CSV header do not match.
const fingerprintBytes = 64

// SeekEnd skips the data already in the file, so that only lines appended
// later are read: it moves past the last '\n', leaving a final line still
// being written to be read once complete. Lines are counted on the way, so
// line numbers (and the timestamps of files without a timestamp column)
// stay what they would have been. For CSV the header is taken from the
// skipped part; if there is none yet, the next line is the header.
// It returns the position it moved to, as a Batch would.
func (r *Reader) SeekEnd() (offset, line int64, err error) {
	if r.closed {
		return 0, 0, ErrClosed
	}
	offset, line, err = lastLineEnd(r.f)
	if err != nil {
		return 0, 0, fmt.Errorf("seek %s to its end: %w", r.path, err)
	}
	return offset, line, r.Resume(offset, line)
}

// lastLineEnd returns the offset just after the last '\n' of ra and how many
// '\n' come before it.
func lastLineEnd(ra io.ReaderAt) (offset, lines int64, err error) {
	buf := make([]byte, readBufferSize)
	var pos int64
	for {
		n, err := ra.ReadAt(buf, pos)
		chunk := buf[:n]
		lines += int64(bytes.Count(chunk, []byte{'\n'}))
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			offset = pos + int64(i) + 1
		}
		pos += int64(n)
		switch {
		case err == io.EOF:
			return offset, lines, nil
		case err != nil:
			return 0, 0, err
		}
	}
}

// Fingerprint returns a checksum of the up to 64 bytes before offset. A
// checkpoint keeps it beside the offset: a file that merely reuses a
// deleted file's inode, or was rewritten in place, fails to match it and
// is read from its start instead of from someone else's position.
func (r *Reader) Fingerprint(offset int64) (uint32, error) {
	if r.closed {
		return 0, ErrClosed
	}
	start := max(0, offset-fingerprintBytes)
	buf := make([]byte, offset-start)
	if _, err := r.f.ReadAt(buf, start); err != nil {
		return 0, fmt.Errorf("fingerprint %s at %d: %w", r.path, offset, err)
	}
	return crc32.ChecksumIEEE(buf), nil
}

// Size returns the file's current size, for telling how far the reader is
// behind the writer.
func (r *Reader) Size() (int64, error) {
	fi, err := r.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
