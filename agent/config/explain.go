package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	unknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type (\S+)$`)
	syntaxError  = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

// explainYAML rewrites the decoder's errors into the form users act on:
// `agent.yaml:14: unknown key "treshold" (did you mean "threshold"?)`.
func explainYAML(name string, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		if m := syntaxError.FindStringSubmatch(err.Error()); m != nil {
			return fmt.Errorf("%s:%s: %s", name, m[1], m[2])
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	msgs := make([]string, 0, len(te.Errors))
	for _, e := range te.Errors {
		m := unknownField.FindStringSubmatch(e)
		if m == nil {
			msgs = append(msgs, name+":"+strings.TrimPrefix(e, "line "))
			continue
		}
		msg := fmt.Sprintf("%s:%s: unknown key %q", name, m[1], m[2])
		if s := closest(m[2], keysOf(m[3])); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		msgs = append(msgs, msg)
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// keysOf returns the YAML keys of the config struct the decoder named
// (e.g. "config.Decision").
func keysOf(typeName string) []string {
	var keys []string
	walkTypes(reflect.TypeFor[Config](), map[reflect.Type]bool{}, func(t reflect.Type) {
		if t.String() != typeName {
			return
		}
		keys = append(keys, yamlKeys(t)...)
	})
	return keys
}

// yamlKeys lists the YAML keys of struct type t, those of inline
// (embedded) structs included.
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		k, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case opts == "inline" && f.Type.Kind() == reflect.Struct:
			keys = append(keys, yamlKeys(f.Type)...)
		case k != "":
			keys = append(keys, k)
		}
	}
	return keys
}

// walkTypes visits each of the package's struct types reachable from t
// once; seen stops the walk at recursive types (Detector.Members).
func walkTypes(t reflect.Type, seen map[reflect.Type]bool, visit func(reflect.Type)) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.PkgPath() != reflect.TypeFor[Config]().PkgPath() || seen[t] {
		return
	}
	seen[t] = true
	visit(t)
	for i := range t.NumField() {
		walkTypes(t.Field(i).Type, seen, visit)
	}
}

// closest returns the candidate within edit distance 2 of s, if any.
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
