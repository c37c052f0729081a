package policy_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/controlplane/policy"
	"github.com/pynomaly/pynomaly/controlplane/store"
)

var testPolicies = []store.Policy{
	{Name: "base", Selector: "*", Revision: 3, Pipeline: "detector: {type: zscore}\ndecision: {threshold: 0.99}\n"},
	{Name: "pumps", Selector: "role=pump", Priority: 10, Revision: 1, Pipeline: "detector:\n  type: hst\n"},
	{Name: "plant-a", Selector: "site in (a)", Priority: 10, Revision: 2, Pipeline: "decision: {threshold: 0.9}\n",
		Models: []store.PolicyModel{{Input: "line-3", Name: "pump", Version: "2"}}},
	{Name: "tok", Revision: 1, Pipeline: "inputs:\n  - name: line-3\n    file: {path: /var/log/line-3.csv}\n",
		Models: []store.PolicyModel{{Input: "line-3", Name: "pump", Version: "1"}}},
}

// TestRender: which policies apply, and which wins each section and model.
func TestRender(t *testing.T) {
	for _, tc := range []struct {
		name     string
		agent    store.AgentRecord
		ps       []store.Policy
		sections map[string]string // section: policy
		models   map[string]string // input: policy
		policies string
		pipeline string // "" to skip
	}{
		{
			name:     "higher priority wins the section it has; the rest comes from below",
			agent:    store.AgentRecord{Labels: map[string]string{"role": "pump", "site": "b"}},
			sections: map[string]string{"detector": "pumps", "decision": "base"},
			models:   map[string]string{},
			policies: "pumps@1,base@3",
			pipeline: "detector:\n  type: hst\ndecision: {threshold: 0.99}\n",
		},
		{
			name:     "equal priorities: by name",
			agent:    store.AgentRecord{Labels: map[string]string{"role": "pump", "site": "a"}},
			sections: map[string]string{"detector": "pumps", "decision": "plant-a"},
			models:   map[string]string{"line-3": "plant-a"},
			policies: "plant-a@2,pumps@1,base@3",
		},
		{
			name:     "no labels: only the policy for every agent",
			agent:    store.AgentRecord{Labels: map[string]string{}},
			sections: map[string]string{"detector": "base", "decision": "base"},
			models:   map[string]string{},
			policies: "base@3",
		},
		{
			name:     "the enrollment token's policy applies whatever its selector",
			agent:    store.AgentRecord{Labels: map[string]string{"site": "a"}, Policy: "tok"},
			sections: map[string]string{"inputs": "tok", "detector": "base", "decision": "plant-a"},
			models:   map[string]string{"line-3": "plant-a"},
			policies: "plant-a@2,base@3,tok@1",
			pipeline: "inputs:\n  - name: line-3\n    file: {path: /var/log/line-3.csv}\ndetector: {type: zscore}\ndecision: {threshold: 0.9}\n",
		},
		{
			name:  "no policy applies",
			agent: store.AgentRecord{Labels: map[string]string{"role": "pump"}, Policy: "gone"},
			ps:    testPolicies[2:],
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := tc.ps
			if ps == nil {
				ps = testPolicies
			}
			r, err := policy.Render(tc.agent, ps)
			if err != nil {
				t.Fatal(err)
			}
			if tc.sections == nil {
				if r != nil {
					t.Fatalf("Render = %+v, want none", r.State)
				}
				return
			}
			if !maps.Equal(r.Sections, tc.sections) || !maps.Equal(r.Models, tc.models) {
				t.Errorf("sections %v models %v, want %v %v", r.Sections, r.Models, tc.sections, tc.models)
			}
			if got := strings.Join(r.State.Policies, ","); got != tc.policies || r.State.Source != "policies" {
				t.Errorf("policies %s source %q, want %s from policies", got, r.State.Source, tc.policies)
			}
			if tc.pipeline != "" && r.State.Pipeline != tc.pipeline {
				t.Errorf("pipeline:\n%s\nwant\n%s", r.State.Pipeline, tc.pipeline)
			}
			for _, m := range r.State.Models {
				if want := slices.IndexFunc(ps, func(p store.Policy) bool { return p.Name == tc.models[m.Input] }); ps[want].Models[0].Version != m.Version {
					t.Errorf("model of %s: version %s, want %s's", m.Input, m.Version, tc.models[m.Input])
				}
			}
		})
	}
}

// TestRenderModelWithoutInput: a model for an input the rendered inputs
// lack is refused, naming both policies.
func TestRenderModelWithoutInput(t *testing.T) {
	ps := append(slices.Clone(testPolicies), store.Policy{Name: "other-inputs", Selector: "*", Priority: 100,
		Pipeline: "inputs:\n  - name: line-9\n    file: {path: /l9.csv}\n"})
	_, err := policy.Render(store.AgentRecord{Labels: map[string]string{"site": "a"}}, ps)
	want := "policy plant-a assigns a model to input line-3, which the inputs of policy other-inputs do not have"
	if err == nil || err.Error() != want {
		t.Errorf("Render: %v, want %q", err, want)
	}
}
