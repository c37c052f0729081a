package payload

import (
	"encoding/json"

	"github.com/pynomaly/pynomaly/agent/input"
)

// object checks that b is a JSON object and returns it with surrounding
// space trimmed. json.Valid does the checking, without allocating, so the
// scanner below can take the syntax for granted.
func object(b []byte) ([]byte, *Error) {
	if !json.Valid(b) {
		// Unmarshal says where and what is wrong; only bad payloads pay.
		var v any
		return nil, newError(input.ReasonMalformed, "invalid JSON: %v", json.Unmarshal(b, &v))
	}
	b = trimJSONSpace(b)
	switch b[0] {
	case '{':
		return b, nil
	case 'n':
		return nil, newError(input.ReasonMalformed, "JSON null is not an object")
	case '[':
		return nil, newError(input.ReasonMalformed, "JSON array is not an object")
	case '"':
		return nil, newError(input.ReasonMalformed, "JSON string is not an object")
	case 't', 'f':
		return nil, newError(input.ReasonMalformed, "JSON bool is not an object")
	}
	return nil, newError(input.ReasonMalformed, "JSON number is not an object")
}

// members calls f with the key and raw value of each member of obj, a
// valid JSON object, in order. The key is as written, escapes and all:
// escaped says whether it holds any.
func members(obj []byte, f func(key []byte, escaped bool, raw []byte)) {
	i := skipSpace(obj, 1) // after '{'
	for obj[i] != '}' {
		end, escaped := stringEnd(obj, i)
		key := obj[i+1 : end-1]
		i = skipSpace(obj, end) // at ':'
		i = skipSpace(obj, i+1)
		vend := valueEnd(obj, i)
		f(key, escaped, obj[i:vend])
		i = skipSpace(obj, vend)
		if obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
}

// keyIs reports whether a member's key, as members gives it, is want.
func keyIs(key []byte, escaped bool, want string) bool {
	if !escaped {
		return string(key) == want
	}
	var s string
	quoted := make([]byte, 0, len(key)+2)
	quoted = append(append(append(quoted, '"'), key...), '"')
	return json.Unmarshal(quoted, &s) == nil && s == want
}

// stringEnd returns the index after the string starting at b[i] == '"'.
func stringEnd(b []byte, i int) (end int, escaped bool) {
	for i++; b[i] != '"'; i++ {
		if b[i] == '\\' {
			escaped = true
			i++
		}
	}
	return i + 1, escaped
}

// valueEnd returns the index after the value starting at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		end, _ := stringEnd(b, i)
		return end
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch b[i] {
			case '"':
				end, _ := stringEnd(b, i)
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	for i < len(b) && !isDelimiter(b[i]) {
		i++
	}
	return i
}

func isDelimiter(c byte) bool {
	return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func trimJSONSpace(b []byte) []byte {
	b = b[skipSpace(b, 0):]
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
