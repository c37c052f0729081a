package policy

import (
	"fmt"

	"github.com/pynomaly/pynomaly/controlplane/fleet"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

// Bounds of a policy.
const (
	MinPriority       = 0
	MaxPriority       = 1000
	maxDescription    = 256
	maxSelector       = 1024
	maxModelsOfPolicy = 64
)

// Validate checks what can be checked of p without the model store: its
// name, selector, priority, sizes, pipeline sections and model references.
func Validate(p store.Policy) error {
	if err := validate(p); err != nil {
		return &InvalidError{err}
	}
	return nil
}

func validate(p store.Policy) error {
	if err := fleet.ValidatePolicyName(p.Name); err != nil {
		return err
	}
	switch {
	case len(p.Description) > maxDescription:
		return fmt.Errorf("description: at most %d bytes", maxDescription)
	case len(p.Selector) > maxSelector:
		return fmt.Errorf("selector: at most %d bytes", maxSelector)
	case p.Priority < MinPriority || p.Priority > MaxPriority:
		return fmt.Errorf("priority %d: want %d to %d (higher wins)", p.Priority, MinPriority, MaxPriority)
	case len(p.Pipeline) > protocol.MaxPipelineBytes:
		return fmt.Errorf("pipeline is %d bytes, more than the %d allowed", len(p.Pipeline), protocol.MaxPipelineBytes)
	case len(p.Models) > maxModelsOfPolicy:
		return fmt.Errorf("models: at most %d", maxModelsOfPolicy)
	}
	if _, err := parseSelector(p.Selector); err != nil {
		return fmt.Errorf("%w (or %q for every agent, or none for agents whose enrollment token names the policy)", err, MatchAll)
	}
	pl, err := parsePipeline(p.Pipeline)
	if err != nil {
		return err
	}
	if len(pl) == 0 && len(p.Models) == 0 {
		return fmt.Errorf("policy %s sets nothing: give it a pipeline (%v) or models", p.Name, Sections)
	}
	return validateModels(p.Models)
}

func validateModels(ms []store.PolicyModel) error {
	seen := map[string]bool{}
	for i, m := range ms {
		if err := validateInputName(m.Input); err != nil {
			return fmt.Errorf("models[%d].input: %v", i, err)
		}
		if seen[m.Input] {
			return fmt.Errorf("models[%d]: input %s has more than one model", i, m.Input)
		}
		seen[m.Input] = true
		if err := protocol.ValidateModelRef(m.Name, m.Version); err != nil {
			return fmt.Errorf("models[%d]: %v", i, err)
		}
	}
	return nil
}
