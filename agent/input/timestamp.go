package input

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/protocol"
)

// Epoch seconds of 0001-01-01 and 9999-12-31T23:59:59, the years time.Time
// formats as RFC 3339; anything outside is a typo, not a measurement.
const (
	minEpoch = -62135596800
	maxEpoch = 253402300799
)

// epochMillisFrom is where numeric timestamps switch from seconds to
// milliseconds: 1e12 s is past year 9999, while 1e12 ms is 2001.
const epochMillisFrom = 1e12

// ParseTimestamp accepts RFC 3339 with or without fractional seconds, with a
// 'T' or ' ' between date and time, with or without a zone (none means UTC);
// "2006-01-02 15:04:05" and "2006-01-02 15:04:05.000000" (NAB's format);
// and Unix epoch seconds, integer or fractional, where values of 1e12 and
// more are milliseconds. The result is in UTC.
func ParseTimestamp(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, ok := parseDateTime(s); ok {
		t, _, err := checkEpoch(s, t) // a zone can push 9999-12-31 past the year
		return t, err
	}
	if t, ok, err := parseEpoch(s); ok {
		return t, err
	}
	return time.Time{}, fmt.Errorf("%w %s: want RFC 3339, \"2006-01-02 15:04:05[.000000]\" or Unix epoch seconds",
		ErrBadTimestamp, quote(s))
}

// parseDateTime picks the one layout that can match, so a line costs one
// time.Parse call instead of one failed call per layout.
func parseDateTime(s string) (time.Time, bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	var layout string
	switch s[10] {
	case 'T':
		layout = "2006-01-02T15:04:05"
	case ' ':
		layout = "2006-01-02 15:04:05"
	default:
		return time.Time{}, false
	}
	// time.Parse accepts fractional seconds the layout does not mention.
	if strings.ContainsAny(s[19:], "Z+-") {
		layout += "Z07:00"
	}
	t, err := time.Parse(layout, s)
	return t.UTC(), err == nil
}

// parseEpoch reads Unix epoch seconds or milliseconds. ok is false when s
// is not a plain decimal number (ParseFloat alone would take "Inf" or hex),
// so near-misses such as "2020-01-01" get ParseTimestamp's general message.
func parseEpoch(s string) (t time.Time, ok bool, err error) {
	if !isDecimal(s) {
		return t, false, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n >= epochMillisFrom {
			return checkEpoch(s, time.UnixMilli(n))
		}
		return checkEpoch(s, time.Unix(n, 0))
	}
	if t, ok := parseFixed(s); ok {
		return checkEpoch(s, t)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return t, false, nil
	}
	if v < minEpoch || v >= (maxEpoch+1)*1000 { // also catches ±Inf
		return t, true, fmt.Errorf("%w %s: epoch outside years 1-9999", ErrBadTimestamp, quote(s))
	}
	if v >= epochMillisFrom {
		v /= 1000
	}
	sec := math.Floor(v)
	return checkEpoch(s, time.Unix(int64(sec), int64(math.Round((v-sec)*1e9))))
}

// parseFixed reads "[-]digits.digits" exactly, which float64 cannot do to
// the microsecond for millisecond epochs; digits past a nanosecond are cut.
func parseFixed(s string) (time.Time, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || frac == "" || strings.Trim(frac, "0123456789") != "" {
		return time.Time{}, false
	}
	sign := int64(1)
	if strings.HasPrefix(whole, "-") {
		sign = -1
	}
	if n >= epochMillisFrom {
		return time.UnixMilli(n).Add(time.Duration(sign * fraction(frac, 6))), true
	}
	return time.Unix(n, sign*fraction(frac, 9)), true
}

// fraction returns the decimal fraction digits as an integer of the given
// number of digits: fraction("25", 3) is 250.
func fraction(digits string, width int) int64 {
	digits = (digits + strings.Repeat("0", width))[:width]
	n, _ := strconv.ParseInt(digits, 10, 64) // only digits, at most 9: cannot fail
	return n
}

func isDecimal(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return s != "" && (s[0] == '.' || s[0] >= '0' && s[0] <= '9') &&
		strings.Trim(s, "0123456789.eE+-") == ""
}

func checkEpoch(s string, t time.Time) (time.Time, bool, error) {
	if sec := t.Unix(); sec < minEpoch || sec > maxEpoch {
		return time.Time{}, true, fmt.Errorf("%w %s: epoch outside years 1-9999", ErrBadTimestamp, quote(s))
	}
	// Alert ids hash the time in Unix nanoseconds, which exist only from
	// 1677 to 2262: a sample outside could never be delivered.
	if !protocol.ValidTimestamp(t) {
		return time.Time{}, true, fmt.Errorf("%w %s: outside 1677-09-21..2262-04-11, the range alerts can carry", ErrBadTimestamp, quote(s))
	}
	return t.UTC(), true, nil
}
