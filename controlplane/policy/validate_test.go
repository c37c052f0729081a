package policy_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/controlplane/policy"
	"github.com/pynomaly/pynomaly/controlplane/store"
)

// TestBadPipelines: each testdata/*.bad.yaml is refused with the error its
// first line ("# want: …") gives.
func TestBadPipelines(t *testing.T) {
	files, err := filepath.Glob("testdata/*.bad.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(b), "\n")
			want, ok := strings.CutPrefix(first, "# want: ")
			if !ok {
				t.Fatalf("first line %q: want \"# want: <error>\"", first)
			}
			err = policy.Validate(store.Policy{Name: "p", Pipeline: string(b)})
			var invalid *policy.InvalidError
			if !errors.As(err, &invalid) || !strings.Contains(err.Error(), want) {
				t.Errorf("Validate: %v, want an InvalidError containing %q", err, want)
			}
		})
	}
}

// TestValidatePolicy: what is wrong with a policy besides its pipeline.
func TestValidatePolicy(t *testing.T) {
	good := store.Policy{Name: "pumps", Selector: "role=pump,site in (a,b)", Priority: 10, Pipeline: "detector: {type: zscore}\n",
		Models: []store.PolicyModel{{Input: "line-3", Name: "pump", Version: "1"}}}
	if err := policy.Validate(good); err != nil {
		t.Fatalf("Validate(good) = %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*store.Policy)
		want string
	}{
		{"bad name", func(p *store.Policy) { p.Name = "Pumps_A" }, `policy name "Pumps_A"`},
		{"bad selector", func(p *store.Policy) { p.Selector = "role in pump" }, `want a list in parentheses`},
		{"selector with a bad label", func(p *store.Policy) { p.Selector = "ro le=pump" }, `selector "ro le=pump"`},
		{"priority below", func(p *store.Policy) { p.Priority = -1 }, "priority -1: want 0 to 1000"},
		{"priority above", func(p *store.Policy) { p.Priority = 1001 }, "priority 1001: want 0 to 1000"},
		{"long description", func(p *store.Policy) { p.Description = strings.Repeat("x", 257) }, "description: at most 256 bytes"},
		{"huge pipeline", func(p *store.Policy) { p.Pipeline = "detector: {type: zscore}\n#" + strings.Repeat("x", 256<<10) }, "more than the 262144 allowed"},
		{"nothing set", func(p *store.Policy) { p.Pipeline, p.Models = "", nil }, "sets nothing"},
		{"two models for an input", func(p *store.Policy) { p.Models = append(p.Models, p.Models[0]) }, "input line-3 has more than one model"},
		{"bad model name", func(p *store.Policy) { p.Models[0].Name = "../pump" }, `model name "../pump"`},
		{"model without input", func(p *store.Policy) { p.Models[0].Input = "" }, "models[0].input: input name is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := good
			p.Models = append([]store.PolicyModel(nil), good.Models...)
			tc.edit(&p)
			var invalid *policy.InvalidError
			if err := policy.Validate(p); !errors.As(err, &invalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate: %v, want an InvalidError containing %q", err, tc.want)
			}
		})
	}
}

// FuzzValidate: no pipeline panics the checks, and one that passes
// renders into a pipeline that passes again, with the same sections.
func FuzzValidate(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.bad.yaml")
	for _, name := range files {
		b, _ := os.ReadFile(name)
		f.Add(string(b))
	}
	for _, p := range testPolicies {
		f.Add(p.Pipeline)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		p := store.Policy{Name: "p", Selector: "*", Pipeline: doc}
		if policy.Validate(p) != nil {
			return
		}
		r, err := policy.Render(store.AgentRecord{}, []store.Policy{p})
		if err != nil {
			t.Fatalf("Render of a valid pipeline: %v", err)
		}
		again := store.Policy{Name: "p", Selector: "*", Pipeline: r.State.Pipeline}
		if err := policy.Validate(again); err != nil {
			t.Fatalf("rendered pipeline %q does not validate: %v", r.State.Pipeline, err)
		}
		r2, err := policy.Render(store.AgentRecord{}, []store.Policy{again})
		if err != nil || r2.State.Pipeline != r.State.Pipeline {
			t.Fatalf("rendering is not stable: %q, then %q (%v)", r.State.Pipeline, r2.State.Pipeline, err)
		}
	})
}
