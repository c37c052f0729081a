package payload

import (
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
)

// parseNumber reads a value's text with the rules of agent/input's files:
// empty is missing, ParseFloat's range error is not finite because the
// value it yields is ±Inf.
func parseNumber(text string) (float64, *Error) {
	if text == "" {
		return 0, newError(input.ReasonMissingValue, "empty")
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, newError(input.ReasonNonNumeric, "%s is not a number", quote(text))
	}
	return finite(v, text)
}

func finite(v float64, text string) (float64, *Error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, newError(input.ReasonNotFinite, "%s is not finite", quote(text))
	}
	return v, nil
}

func parseTime(text string) (time.Time, *Error) {
	if text == "" {
		return time.Time{}, newError(input.ReasonBadTimestamp, "missing")
	}
	t, err := input.ParseTimestamp(text)
	if err != nil {
		return t, &Error{Reason: input.ReasonBadTimestamp, Err: err, Skipped: 1}
	}
	return t, nil
}

// numberFormat reads a payload that is one number.
type numberFormat struct {
	fields []string
}

func (f *numberFormat) parse(b []byte, _ time.Time, dst []Sample) ([]Sample, *Error) {
	v, e := parseNumber(trimSpace(b))
	if e != nil {
		return dst, e.at("payload")
	}
	return append(dst, Sample{Fields: f.fields, Values: []float64{v}}), nil
}
