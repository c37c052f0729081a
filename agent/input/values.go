package input

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// maxQuoted bounds how much of a bad value an error message repeats, so a
// megabyte of garbage does not end up in every log line.
const maxQuoted = 64

// cellError is why one cell or key could not be used; the parsers add the
// line and column, which the value itself does not know.
type cellError struct {
	reason string
	msg    string
}

// bad turns e into the BadRecord for line; where is `column "x"` or `key "x"`.
func (e *cellError) bad(line int64, where string) *BadRecord {
	return &BadRecord{Line: line, Reason: e.reason, Err: fmt.Errorf("line %d: %s: %s", line, where, e.msg)}
}

// malformed builds the BadRecord for a line whose structure is wrong.
func malformed(line int64, format string, args ...any) *BadRecord {
	return &BadRecord{Line: line, Reason: ReasonMalformed,
		Err: fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...))}
}

// parseNumber parses a value's text; ParseFloat's range error is reported
// as not finite because the value it yields is ±Inf.
func parseNumber(text string) (float64, *cellError) {
	if text == "" {
		return 0, &cellError{ReasonMissingValue, "empty"}
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, &cellError{ReasonNonNumeric, quote(text) + " is not a number"}
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, &cellError{ReasonNotFinite, quote(text) + " is not finite"}
	}
	return v, nil
}

func parseTime(text string) (time.Time, *cellError) {
	t, err := ParseTimestamp(text)
	if err != nil {
		return t, &cellError{ReasonBadTimestamp, err.Error()}
	}
	return t, nil
}

// syntheticTime stands in for a missing timestamp column; deriving it from
// the line number keeps a replay after a crash identical.
func syntheticTime(line int64) (time.Time, string) {
	return time.Unix(line, 0).UTC(), strconv.FormatInt(line, 10)
}

// quote quotes s for an error message, shortened to maxQuoted bytes.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:maxQuoted]) + "..."
}
