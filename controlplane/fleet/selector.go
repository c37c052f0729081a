// Package fleet holds what the control plane knows about agents as a
// fleet: their labels and the selectors that pick groups of them, the way
// Kubernetes picks pods, so that one policy or one query reaches every
// pump controller of a site.
package fleet

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Label names and values are limited to what reads well in URLs, YAML and
// log lines, and matches Kubernetes' own rules closely enough that labels
// copied from node labels fit.
var (
	labelNameRE  = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?$`)
	labelValueRE = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$`)
)

// policyNameRE limits policy names to what is safe in URLs, file names
// and log lines.
var policyNameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$`)

// ValidatePolicyName checks a policy's name.
func ValidatePolicyName(name string) error {
	if !policyNameRE.MatchString(name) {
		return fmt.Errorf("policy name %q: use 1 to 63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit", name)
	}
	return nil
}

// MaxLabels bounds the labels of one agent.
const MaxLabels = 64

// ValidateLabels checks a set of labels, naming the first bad one.
func ValidateLabels(labels map[string]string) error {
	if len(labels) > MaxLabels {
		return fmt.Errorf("%d labels: at most %d", len(labels), MaxLabels)
	}
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if err := validateName(k); err != nil {
			return err
		}
		if err := validateValue(k, labels[k]); err != nil {
			return err
		}
	}
	return nil
}

func validateName(k string) error {
	if !labelNameRE.MatchString(k) {
		return fmt.Errorf("label name %q: use 1 to 63 letters, digits, '.', '_', '-' or '/', starting and ending with a letter or digit", k)
	}
	return nil
}

func validateValue(k, v string) error {
	if !labelValueRE.MatchString(v) {
		return fmt.Errorf("label %s value %q: use up to 63 letters, digits, '.', '_' or '-', starting and ending with a letter or digit", k, v)
	}
	return nil
}

// Op is a requirement's operator.
type Op string

// The operators of a selector, as in Kubernetes' label selectors.
const (
	OpEquals    Op = "="
	OpNotEquals Op = "!="
	OpIn        Op = "in"
	OpNotIn     Op = "notin"
	OpExists    Op = "exists"
	OpNotExists Op = "!"
)

// Requirement is one term of a selector.
type Requirement struct {
	Key    string
	Op     Op
	Values []string // one for = and !=, one or more for in and notin, none otherwise
}

// Matches reports whether labels meet the requirement.
func (r Requirement) Matches(labels map[string]string) bool {
	v, ok := labels[r.Key]
	switch r.Op {
	case OpEquals:
		return ok && v == r.Values[0]
	case OpNotEquals:
		return !ok || v != r.Values[0]
	case OpIn:
		return ok && slices.Contains(r.Values, v)
	case OpNotIn:
		return !ok || !slices.Contains(r.Values, v)
	case OpExists:
		return ok
	case OpNotExists:
		return !ok
	}
	return false
}

func (r Requirement) String() string {
	switch r.Op {
	case OpEquals, OpNotEquals:
		return r.Key + string(r.Op) + r.Values[0]
	case OpIn, OpNotIn:
		return r.Key + " " + string(r.Op) + " (" + strings.Join(r.Values, ",") + ")"
	case OpNotExists:
		return "!" + r.Key
	}
	return r.Key
}

// Selector is a conjunction of requirements; the empty selector matches
// every agent.
type Selector []Requirement

// Matches reports whether labels meet every requirement.
func (s Selector) Matches(labels map[string]string) bool {
	for _, r := range s {
		if !r.Matches(labels) {
			return false
		}
	}
	return true
}

// String gives the selector in the syntax ParseSelector reads.
func (s Selector) String() string {
	parts := make([]string, len(s))
	for i, r := range s {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

// Equalities returns the selector's key=value requirements, which a store
// can answer from an index; the caller still applies Matches for the rest.
func (s Selector) Equalities() map[string]string {
	eq := map[string]string{}
	for _, r := range s {
		if r.Op == OpEquals {
			eq[r.Key] = r.Values[0]
		}
	}
	return eq
}

// ParseSelector reads Kubernetes' label selector syntax: comma-separated
// requirements, each one of
//
//	site=plant-a   site==plant-a   site!=plant-a
//	site in (plant-a,plant-b)   site notin (plant-a)
//	gpu   !gpu
//
// Spaces around terms are ignored. An empty string is the empty selector.
func ParseSelector(s string) (Selector, error) {
	var sel Selector
	rest := strings.TrimSpace(s)
	for rest != "" {
		term, tail, err := nextTerm(rest)
		if err != nil {
			return nil, fmt.Errorf("selector %q: %w", s, err)
		}
		r, err := parseRequirement(strings.TrimSpace(term))
		if err != nil {
			return nil, fmt.Errorf("selector %q: %w", s, err)
		}
		sel = append(sel, r)
		rest = strings.TrimSpace(tail)
	}
	return sel, nil
}

// nextTerm splits off the first requirement: up to a comma outside
// parentheses.
func nextTerm(s string) (term, rest string, err error) {
	depth := 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
			if depth > 1 {
				return "", "", fmt.Errorf("nested '(' at %d", i)
			}
		case ')':
			depth--
			if depth < 0 {
				return "", "", fmt.Errorf("')' without '(' at %d", i)
			}
		case ',':
			if depth == 0 {
				if strings.TrimSpace(s[i+1:]) == "" {
					return "", "", fmt.Errorf("trailing ','")
				}
				return s[:i], s[i+1:], nil
			}
		}
	}
	if depth != 0 {
		return "", "", fmt.Errorf("'(' without ')'")
	}
	return s, "", nil
}

func parseRequirement(t string) (Requirement, error) {
	if t == "" {
		return Requirement{}, fmt.Errorf("empty requirement")
	}
	if k, ok := strings.CutPrefix(t, "!"); ok && !strings.ContainsAny(k, "=!( ") {
		k = strings.TrimSpace(k)
		return Requirement{Key: k, Op: OpNotExists}, validateName(k)
	}
	if k, v, ok := strings.Cut(t, "!="); ok {
		return equality(k, OpNotEquals, v)
	}
	if k, v, ok := strings.Cut(t, "=="); ok {
		return equality(k, OpEquals, v)
	}
	if k, v, ok := strings.Cut(t, "="); ok {
		return equality(k, OpEquals, v)
	}
	if k, vals, ok := strings.Cut(t, " "); ok {
		vals = strings.TrimSpace(vals)
		op, list, _ := strings.Cut(vals, " ")
		if i := strings.IndexByte(vals, '('); i > 0 && !strings.Contains(vals[:i], " ") {
			op, list = vals[:i], vals[i:] // "in(a,b)"
		}
		switch Op(op) {
		case OpIn, OpNotIn:
			return set(k, Op(op), strings.TrimSpace(list))
		}
		return Requirement{}, fmt.Errorf("%q: want key=value, key!=value, key in (a,b), key notin (a,b), key or !key", t)
	}
	return Requirement{Key: t, Op: OpExists}, validateName(t)
}

func equality(k string, op Op, v string) (Requirement, error) {
	k, v = strings.TrimSpace(k), strings.TrimSpace(v)
	if err := validateName(k); err != nil {
		return Requirement{}, err
	}
	if err := validateValue(k, v); err != nil {
		return Requirement{}, err
	}
	return Requirement{Key: k, Op: op, Values: []string{v}}, nil
}

func set(k string, op Op, list string) (Requirement, error) {
	if err := validateName(k); err != nil {
		return Requirement{}, err
	}
	inner, ok := strings.CutPrefix(list, "(")
	if inner, ok = strings.CutSuffix(inner, ")"); !ok {
		return Requirement{}, fmt.Errorf("%s %s %s: want a list in parentheses, e.g. (a,b)", k, op, list)
	}
	var vals []string
	for v := range strings.SplitSeq(inner, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			return Requirement{}, fmt.Errorf("%s %s %s: empty value in the list", k, op, list)
		}
		if err := validateValue(k, v); err != nil {
			return Requirement{}, err
		}
		vals = append(vals, v)
	}
	return Requirement{Key: k, Op: op, Values: vals}, nil
}
