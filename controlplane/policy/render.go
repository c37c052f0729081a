package policy

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/pynomaly/pynomaly/controlplane/fleet"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

// Ways a policy applies to an agent.
const (
	ViaSelector = "selector"
	ViaToken    = "token"
)

// MatchAll is the selector of a policy for every agent.
const MatchAll = "*"

// parseSelector reads a policy's selector: MatchAll, empty (no agent by
// its labels), or a label selector.
func parseSelector(s string) (func(labels map[string]string) bool, error) {
	switch s {
	case MatchAll:
		return func(map[string]string) bool { return true }, nil
	case "":
		return func(map[string]string) bool { return false }, nil
	}
	sel, err := fleet.ParseSelector(s)
	if err != nil {
		return nil, err
	}
	return sel.Matches, nil
}

// via says how p applies to agent a: ViaToken, ViaSelector, or "" when it
// does not. A selector that does not parse (never stored) applies to none.
func via(p store.Policy, a store.AgentRecord) string {
	if a.Policy == p.Name {
		return ViaToken
	}
	if match, err := parseSelector(p.Selector); err == nil && match(a.Labels) {
		return ViaSelector
	}
	return ""
}

// precedence orders policies as their sections take precedence: highest
// priority first, then by name.
func precedence(a, b store.Policy) int {
	return cmp.Or(cmp.Compare(b.Priority, a.Priority), cmp.Compare(a.Name, b.Name))
}

// Rendering is the desired state made for one agent.
type Rendering struct {
	// State has Source and Policies set and no model digests yet.
	State protocol.DesiredState
	// Sections and Models name the policy each section, and each input's
	// model, came from.
	Sections map[string]string
	Models   map[string]string
}

// Render makes agent a's desired state from the policies that apply to it
// among ps; nil when none does. It fails when the policies, combined,
// assign a model to an input the rendered inputs section lacks, or when a
// stored pipeline no longer parses.
func Render(a store.AgentRecord, ps []store.Policy) (*Rendering, error) {
	var applied []store.Policy
	for _, p := range ps {
		if via(p, a) != "" {
			applied = append(applied, p)
		}
	}
	if len(applied) == 0 {
		return nil, nil
	}
	slices.SortFunc(applied, precedence)
	r := &Rendering{Sections: map[string]string{}, Models: map[string]string{}}
	sections := pipeline{}
	for _, p := range applied {
		if err := r.take(p, sections); err != nil {
			return nil, err
		}
	}
	doc, err := sections.encode()
	if err != nil {
		return nil, err
	}
	r.State.Pipeline, r.State.Source = doc, protocol.DesiredFromPolicies
	for _, input := range slices.Sorted(maps.Keys(r.Models)) {
		if in, ok := sections["inputs"]; ok && !slices.Contains(inputNames(in), input) {
			return nil, fmt.Errorf("policy %s assigns a model to input %s, which the inputs of policy %s do not have",
				r.Models[input], input, r.Sections["inputs"])
		}
	}
	return r, nil
}

// take adds what p has and the policies before it lacked.
func (r *Rendering) take(p store.Policy, sections pipeline) error {
	pl, err := parsePipeline(p.Pipeline)
	if err != nil {
		return fmt.Errorf("policy %s: %w", p.Name, err)
	}
	for name, v := range pl {
		if _, taken := sections[name]; !taken {
			sections[name], r.Sections[name] = v, p.Name
		}
	}
	for _, m := range p.Models {
		if _, taken := r.Models[m.Input]; !taken {
			r.Models[m.Input] = p.Name
			r.State.Models = append(r.State.Models, protocol.ModelAssignment{Input: m.Input, Name: m.Name, Version: m.Version})
		}
	}
	slices.SortFunc(r.State.Models, func(a, b protocol.ModelAssignment) int { return cmp.Compare(a.Input, b.Input) })
	r.State.Policies = append(r.State.Policies, p.Name+"@"+strconv.FormatInt(p.Revision, 10))
	return nil
}
