package pipeline

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Series state layout, version 3:
//
//	version(1) = 3
//	last sample time, int64 Unix nanoseconds, little-endian (0: none)
//	len(detector state) uvarint | detector state
//	len(policy state) uvarint   | policy state (empty until the policy is fed)
//	decision state (the rest)
//
// Version 2 lacks the sample time; version 1, written before threshold
// policies, the policy part too. Both are still read, with no sample time
// and, for version 1, a fresh policy.
const (
	stateVersion   = 3
	stateVersionV2 = 2
	stateVersionV1 = 1
)

var errBadState = errors.New("bad series state")

func encodeState(s *series) ([]byte, error) {
	det, err := s.det.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("snapshot detector: %w", err)
	}
	var pol []byte
	if s.polFed {
		if pol, err = s.pol.MarshalBinary(); err != nil {
			return nil, fmt.Errorf("snapshot threshold policy: %w", err)
		}
	}
	dec, err := s.dec.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("snapshot decision: %w", err)
	}
	b := make([]byte, 0, 9+2*binary.MaxVarintLen64+len(det)+len(pol)+len(dec))
	b = append(b, stateVersion)
	b = binary.LittleEndian.AppendUint64(b, uint64(s.last))
	b = binary.AppendUvarint(b, uint64(len(det)))
	b = append(b, det...)
	b = binary.AppendUvarint(b, uint64(len(pol)))
	b = append(b, pol...)
	return append(b, dec...), nil
}

// decodeState restores s from b. err means the state is unusable. polErr
// alone means the policy's part did not fit the configured policy (it was
// changed): the detector and decision state are restored and the policy is
// left as it was, fresh.
func decodeState(b []byte, s *series) (polErr, err error) {
	if len(b) < 1 || b[0] < stateVersionV1 || b[0] > stateVersion {
		return nil, fmt.Errorf("%w: unknown version", errBadState)
	}
	version, rest := b[0], b[1:]
	var last int64
	if version == stateVersion {
		if len(rest) < 8 {
			return nil, fmt.Errorf("%w: truncated", errBadState)
		}
		last, rest = int64(binary.LittleEndian.Uint64(rest)), rest[8:]
	}
	det, rest, err := cutPart(rest)
	if err != nil {
		return nil, err
	}
	var pol []byte
	if version >= stateVersionV2 {
		if pol, rest, err = cutPart(rest); err != nil {
			return nil, err
		}
	}
	if err := s.det.UnmarshalBinary(det); err != nil {
		return nil, err
	}
	if err := s.dec.UnmarshalBinary(rest); err != nil {
		return nil, err
	}
	s.last = last
	if len(pol) > 0 {
		if polErr = s.pol.UnmarshalBinary(pol); polErr == nil {
			s.polFed = true
		}
	}
	return polErr, nil
}

// cutPart splits a uvarint-length-prefixed part off the front of b.
func cutPart(b []byte) (part, rest []byte, err error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return nil, nil, fmt.Errorf("%w: truncated", errBadState)
	}
	return b[k : k+int(n)], b[k+int(n):], nil
}
