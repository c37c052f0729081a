package decision

import (
	"encoding/binary"
	"fmt"
	"math"
)

// State layout, version 1, 12 bytes:
//
//	offset  size  field
//	0       2     magic "PD"
//	2       1     version, 1
//	3       1     phase: 0 idle, 1 firing
//	4       8     run, uint64 little-endian
const (
	stateMagic   = "PD"
	stateVersion = 1
	stateLen     = 12
)

// MarshalBinary encodes the state in the layout above.
func (s *State) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, stateLen)
	b = append(b, stateMagic...)
	b = append(b, stateVersion, 0)
	if s.firing {
		b[3] = 1
	}
	return binary.LittleEndian.AppendUint64(b, uint64(s.run)), nil
}

// UnmarshalBinary restores a state from MarshalBinary. On error, which wraps
// ErrBadState, s is unchanged.
func (s *State) UnmarshalBinary(data []byte) error {
	switch {
	case len(data) != stateLen:
		return badState("%d bytes, want %d", len(data), stateLen)
	case string(data[:2]) != stateMagic:
		return badState("magic %q, not a decision state", data[:2])
	case data[2] != stateVersion:
		return badState("version %d, this build reads %d", data[2], stateVersion)
	case data[3] > 1:
		return badState("phase %d, want 0 (idle) or 1 (firing)", data[3])
	}
	run := binary.LittleEndian.Uint64(data[4:])
	if run > math.MaxInt {
		return badState("run %d exceeds %d", run, math.MaxInt)
	}
	s.firing, s.run = data[3] == 1, int(run)
	return nil
}

func badState(format string, args ...any) error {
	return fmt.Errorf("decision state: %s: %w", fmt.Sprintf(format, args...), ErrBadState)
}
