package decision

import "errors"

// ErrBadState marks bytes UnmarshalBinary cannot restore: truncated,
// corrupt, not a decision state, or from an unknown format version.
var ErrBadState = errors.New("bad decision state")
