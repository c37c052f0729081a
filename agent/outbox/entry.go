package outbox

import (
	"fmt"
)

// Kind says what an entry's payload is.
type Kind byte

// Entry kinds.
const (
	KindAlert Kind = 1
)

// Entry is one result waiting to be delivered.
type Entry struct {
	// Seq is the entry's position, assigned by Commit.
	Seq  uint64
	Kind Kind
	// ID is the message id the uplink publishes with (the alert id).
	ID      string
	Payload []byte
}

func (e Entry) encode() ([]byte, error) {
	if len(e.ID) == 0 || len(e.ID) > 255 {
		return nil, fmt.Errorf("entry id length %d: want 1..255", len(e.ID))
	}
	b := make([]byte, 0, 2+len(e.ID)+len(e.Payload))
	b = append(b, byte(e.Kind), byte(len(e.ID)))
	b = append(b, e.ID...)
	return append(b, e.Payload...), nil
}

func decodeEntry(seq uint64, b []byte) (Entry, error) {
	if len(b) < 2 || len(b) < 2+int(b[1]) {
		return Entry{}, &CorruptEntryError{Seq: seq}
	}
	n := int(b[1])
	// Copy: bbolt's bytes are only valid for the transaction's life.
	payload := append([]byte(nil), b[2+n:]...)
	return Entry{Seq: seq, Kind: Kind(b[0]), ID: string(b[2 : 2+n]), Payload: payload}, nil
}
