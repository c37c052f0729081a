package store

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// cursorPrefix versions the cursor format so that a later change can still
// recognise (or cleanly reject) cursors clients kept from before.
const cursorPrefix = "v1:"

// encodeCursor returns the opaque cursor for the position after seq.
func encodeCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.FormatInt(seq, 10)))
}

// decodeCursor returns the seq in c, or 0 for the empty cursor. It accepts
// only the exact string encodeCursor would produce, so that every accepted
// cursor names one position.
func decodeCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, badCursor()
	}
	digits, ok := strings.CutPrefix(string(raw), cursorPrefix)
	if !ok {
		return 0, badCursor()
	}
	seq, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || seq <= 0 || encodeCursor(seq) != c {
		return 0, badCursor()
	}
	return seq, nil
}

// badCursor does not echo the cursor: it is client input of any length.
func badCursor() error {
	return fmt.Errorf("%w: not a cursor this server issued; drop it to start from the beginning", ErrBadCursor)
}
