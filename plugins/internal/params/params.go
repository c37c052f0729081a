// Package params parses the string params a config or the CLI gives a
// detector or a threshold policy into typed option fields, so that every
// one of them rejects unknown keys and bad values with the same words.
package params

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Field parses one param's value into the variable it was made for. Make
// one with Int, NonNegativeInt, IntOr, Uint, Float, FiniteFloat or String.
type Field struct {
	want  string            // what a good value is, completing "want …"
	parse func(string) bool // sets the variable, or reports a bad value
}

// Fields maps each known key to the field it sets.
type Fields map[string]Field

// Bind parses every param into the field its key names, leaving fields
// whose key is absent as they are. It walks the keys in sorted order so
// that with several bad params the error is always about the same one.
// Range checks are the caller's: Bind knows only types.
func Bind(kv map[string]string, fields Fields) error {
	for _, key := range slices.Sorted(maps.Keys(kv)) {
		f, ok := fields[key]
		if !ok {
			known := strings.Join(slices.Sorted(maps.Keys(fields)), ", ")
			return fmt.Errorf("unknown param %q (known: %s)", key, known)
		}
		if !f.parse(kv[key]) {
			return fmt.Errorf("param %s=%q: want %s", key, kv[key], f.want)
		}
	}
	return nil
}

// Int binds a decimal integer that fits an int.
func Int(dst *int) Field {
	return Field{"an integer", func(s string) bool {
		n, err := strconv.Atoi(s)
		return err == nil && set(dst, n)
	}}
}

// NonNegativeInt binds an int that must not be negative; it says so for
// any bad value, so a user learns both rules at once.
func NonNegativeInt(dst *int) Field {
	return Field{"a non-negative integer", func(s string) bool {
		n, err := strconv.Atoi(s)
		return err == nil && n >= 0 && set(dst, n)
	}}
}

// IntOr binds an integer, or the word w standing for the value v (such as
// "auto" for a sentinel the field's docs define).
func IntOr(dst *int, w string, v int) Field {
	f := Int(dst)
	return Field{"an integer or " + w, func(s string) bool {
		return s == w && set(dst, v) || f.parse(s)
	}}
}

// Uint binds a uint64, such as a seed. It words the rule as
// NonNegativeInt does, since users think of both the same way.
func Uint(dst *uint64) Field {
	return Field{"a non-negative integer", func(s string) bool {
		n, err := strconv.ParseUint(s, 10, 64)
		return err == nil && set(dst, n)
	}}
}

// Float binds a number. It refuses NaN, which no range check would catch
// by name, but lets ±Inf through to the caller's range check.
func Float(dst *float64) Field {
	return Field{"a number", func(s string) bool {
		v, err := strconv.ParseFloat(s, 64)
		return err == nil && !math.IsNaN(v) && set(dst, v)
	}}
}

// FiniteFloat binds a number that is neither NaN nor ±Inf, for fields
// whose range is open-ended.
func FiniteFloat(dst *float64) Field {
	return Field{"a finite number", func(s string) bool {
		v, err := strconv.ParseFloat(s, 64)
		return err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) && set(dst, v)
	}}
}

// String binds any value, for names the caller validates against its
// own list.
func String[T ~string](dst *T) Field {
	return Field{"a string", func(s string) bool { return set(dst, T(s)) }}
}

// set stores v and returns true, so that a field is written only once its
// value is known to be good.
func set[T any](dst *T, v T) bool {
	*dst = v
	return true
}
