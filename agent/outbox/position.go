package outbox

import (
	"encoding/binary"
	"fmt"
)

// Position is an input's checkpoint: where to continue reading, and in
// which file.
type Position struct {
	// Offset is the byte offset after the last consumed line.
	Offset int64
	// Line is the number of the last consumed line.
	Line int64
	// Source identifies the file the position belongs to (path and inode),
	// so that a position is never applied to another file.
	Source string
}

// Checkpoint value layout: offset uint64 BE | line uint64 BE | source.
// Schema 1 files written before Source existed hold the first 16 bytes
// only, which decode with an empty Source.
func (p Position) encode() []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 16+len(p.Source)), uint64(p.Offset))
	b = binary.BigEndian.AppendUint64(b, uint64(p.Line))
	return append(b, p.Source...)
}

func decodePosition(v []byte) (Position, error) {
	if len(v) < 16 {
		return Position{}, fmt.Errorf("%d bytes, want at least 16", len(v))
	}
	return Position{
		Offset: int64(binary.BigEndian.Uint64(v)),
		Line:   int64(binary.BigEndian.Uint64(v[8:])),
		Source: string(v[16:]),
	}, nil
}
