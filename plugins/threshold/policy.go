package threshold

// Policy decides, per series, whether a score is anomalous, learning the
// score distribution as it goes. One instance per series; not safe for
// concurrent use.
type Policy interface {
	// Observe returns whether score is anomalous under the current
	// threshold, then learns from score. score must be finite and in
	// [0, 1], else an error wrapping ErrInvalidScore and no state change.
	Observe(score float64) (bool, error)
	// Threshold is the current threshold (NaN while still calibrating): the
	// next score is anomalous when it is greater (fixed: at least equal).
	Threshold() float64
	// MarshalBinary snapshots the policy's state in a versioned
	// little-endian layout drawn in the file that owns it.
	MarshalBinary() ([]byte, error)
	// UnmarshalBinary restores a snapshot taken by a policy of the same kind
	// and options. It rejects bad data with an error wrapping
	// ErrBadSnapshot, leaving the state unchanged.
	UnmarshalBinary(data []byte) error
}
