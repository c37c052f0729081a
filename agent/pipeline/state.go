package pipeline

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Series state layout, version 2:
//
//	version(1) = 2
//	len(detector state) uvarint | detector state
//	len(policy state) uvarint   | policy state (empty until the policy is fed)
//	decision state (the rest)
//
// Version 1, written before threshold policies, lacks the policy part; it
// is still read, with a fresh policy.
const (
	stateVersion   = 2
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
	b := make([]byte, 0, 1+2*binary.MaxVarintLen64+len(det)+len(pol)+len(dec))
	b = append(b, stateVersion)
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
	if len(b) < 1 || (b[0] != stateVersion && b[0] != stateVersionV1) {
		return nil, fmt.Errorf("%w: unknown version", errBadState)
	}
	version, rest := b[0], b[1:]
	det, rest, err := cutPart(rest)
	if err != nil {
		return nil, err
	}
	var pol []byte
	if version == stateVersion {
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
