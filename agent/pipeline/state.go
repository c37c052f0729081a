package pipeline

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Series state layout, version 1:
//
//	version(1) | len(detector state) uvarint | detector state | decision state
const stateVersion = 1

var errBadState = errors.New("bad series state")

func encodeState(s *series) ([]byte, error) {
	det, err := s.det.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("snapshot detector: %w", err)
	}
	dec, err := s.dec.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("snapshot decision: %w", err)
	}
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(det)+len(dec))
	b = append(b, stateVersion)
	b = binary.AppendUvarint(b, uint64(len(det)))
	b = append(b, det...)
	return append(b, dec...), nil
}

func decodeState(b []byte, s *series) error {
	if len(b) < 1 || b[0] != stateVersion {
		return fmt.Errorf("%w: unknown version", errBadState)
	}
	n, k := binary.Uvarint(b[1:])
	if k <= 0 || uint64(len(b)-1-k) < n {
		return fmt.Errorf("%w: truncated", errBadState)
	}
	det := b[1+k : 1+k+int(n)]
	if err := s.det.UnmarshalBinary(det); err != nil {
		return err
	}
	return s.dec.UnmarshalBinary(b[1+k+int(n):])
}
