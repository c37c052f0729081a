package fleet

import (
	"strings"
	"testing"
)

func TestSelectorMatches(t *testing.T) {
	pump := map[string]string{"site": "plant-a", "role": "pump", "gpu": ""}
	cases := []struct {
		sel  string
		want bool
	}{
		{"", true},
		{"site=plant-a", true},
		{"site==plant-a", true},
		{"site=plant-b", false},
		{"site!=plant-b", true},
		{"zone!=x", true}, // missing key: != holds, as in Kubernetes
		{"site in (plant-a, plant-b)", true},
		{"site in(plant-b)", false},
		{"site notin (plant-b)", true},
		{"site notin (plant-a)", false},
		{"zone notin (x)", true},
		{"gpu", true},
		{"!gpu", false},
		{"!zone", true},
		{"zone", false},
		{" site = plant-a , role in (pump,valve) ", true},
		{"site=plant-a,role=valve", false},
	}
	for _, c := range cases {
		sel, err := ParseSelector(c.sel)
		if err != nil {
			t.Errorf("ParseSelector(%q): %v", c.sel, err)
			continue
		}
		if got := sel.Matches(pump); got != c.want {
			t.Errorf("%q matches %v = %v, want %v", c.sel, pump, got, c.want)
		}
		// What String writes, ParseSelector reads back to the same meaning.
		again, err := ParseSelector(sel.String())
		if err != nil || again.String() != sel.String() {
			t.Errorf("round trip of %q: %q, %v", c.sel, again.String(), err)
		}
	}
}

func TestSelectorRefused(t *testing.T) {
	cases := map[string]string{
		"site=":            "", // empty values are allowed; checked below
		"=a":               "label name",
		"site in a,b":      "parentheses",
		"site in (a,,b)":   "empty value",
		"site in (a":       "without ')'",
		"site in ((a))":    "nested",
		"site=a,":          "trailing",
		"site=a b":         "value",
		"site between (a)": "want key=value",
		"!":                "label name",
		"a)":               "without '('",
	}
	for sel, want := range cases {
		_, err := ParseSelector(sel)
		if want == "" {
			if err != nil {
				t.Errorf("ParseSelector(%q): %v", sel, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSelector(%q) = %v, want an error containing %q", sel, err, want)
		}
	}
}

func TestEqualities(t *testing.T) {
	sel, err := ParseSelector("site=a,role!=pump,tier in (x)")
	if err != nil {
		t.Fatal(err)
	}
	eq := sel.Equalities()
	if len(eq) != 1 || eq["site"] != "a" {
		t.Fatalf("Equalities = %v, want site=a only", eq)
	}
}

func TestValidateLabels(t *testing.T) {
	if err := ValidateLabels(map[string]string{"site": "plant-a", "example.com/tier": "edge", "empty": ""}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []map[string]string{{"": "x"}, {"-a": "x"}, {"a": "x y"}, {"a": strings.Repeat("v", 64)}} {
		if err := ValidateLabels(bad); err == nil {
			t.Errorf("ValidateLabels(%v) passed", bad)
		}
	}
	many := map[string]string{}
	for i := range MaxLabels + 1 {
		many[strings.Repeat("k", i%60+1)+string(rune('a'+i%26))+string(rune('a'+i/26))] = "v"
	}
	if err := ValidateLabels(many); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Fatalf("ValidateLabels(%d labels) = %v", len(many), err)
	}
}

// FuzzParseSelector checks that any string either fails cleanly or parses
// into a selector whose String parses back to the same selector.
func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{"", "a=b", "a!=b,c", "a in (b,c)", "!a", "a notin(b)", "a in ((", ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sel, err := ParseSelector(s)
		if err != nil {
			return
		}
		again, err := ParseSelector(sel.String())
		if err != nil {
			t.Fatalf("%q -> %q does not parse: %v", s, sel.String(), err)
		}
		if again.String() != sel.String() {
			t.Fatalf("%q -> %q -> %q", s, sel.String(), again.String())
		}
		sel.Matches(map[string]string{"a": "b"})
	})
}
