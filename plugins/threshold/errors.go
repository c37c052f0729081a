package threshold

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidScore marks a score Observe cannot take: NaN, infinite or
	// outside [0, 1]. The policy is left unchanged.
	ErrInvalidScore = errors.New("invalid score")
	// ErrBadSnapshot marks data UnmarshalBinary cannot restore: truncated,
	// of another policy, version or options, or with impossible state. The
	// policy is left unchanged.
	ErrBadSnapshot = errors.New("bad snapshot")
)

// checkScore returns an error wrapping ErrInvalidScore unless s is in [0, 1].
func checkScore(s float64) error {
	if !(s >= 0 && s <= 1) { // also catches NaN
		return fmt.Errorf("score %v outside [0, 1]: %w", s, ErrInvalidScore)
	}
	return nil
}

// badSnapshot returns an error naming the policy and wrapping ErrBadSnapshot.
func badSnapshot(policy, format string, args ...any) error {
	return fmt.Errorf("%s snapshot: %s: %w", policy, fmt.Sprintf(format, args...), ErrBadSnapshot)
}
