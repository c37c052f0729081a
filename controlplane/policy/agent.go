package policy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

// casAttempts bounds how often one render starts again because the
// agent's desired state changed under it.
const casAttempts = 5

// AgentChanged renders an agent whose labels or enrollment changed (the
// fleet API's hook); a failure is logged, as the change itself stands.
func (s *Service) AgentChanged(ctx context.Context, agentID string) {
	outcome, err := s.render(ctx, agentID)
	if err != nil {
		s.logger.Warn("could not render an agent's policies; it keeps its desired state", "agent_id", agentID, "err", err)
		return
	}
	s.logger.Debug("rendered an agent's policies", "agent_id", agentID, "outcome", outcome)
}

// render brings one agent's desired state in line with the policies. It
// reads the agent's current state first and the store after, and writes
// only if the state has not moved since: then whatever render writes
// last read the store last.
func (s *Service) render(ctx context.Context, agentID string) (string, error) {
	for range casAttempts {
		outcome, err := s.renderOnce(ctx, agentID)
		if !errors.Is(err, errConflict) {
			return outcome, err
		}
	}
	return "", fmt.Errorf("agent %s: its desired state kept changing; apply again", agentID)
}

func (s *Service) renderOnce(ctx context.Context, agentID string) (string, error) {
	cur, rev, err := s.states.get(ctx, agentID)
	if err != nil {
		return "", err
	}
	if rev != 0 && cur.Source != protocol.DesiredFromPolicies {
		return outcomePinned, nil
	}
	r, err := s.renderFresh(ctx, agentID)
	if err != nil {
		return "", err
	}
	if r == nil {
		if rev == 0 {
			return outcomeUnchanged, nil
		}
		return outcomeRemoved, s.states.del(ctx, agentID, rev)
	}
	next, err := s.states.withDigests(ctx, r.State)
	if err != nil {
		return "", err
	}
	if rev != 0 && next.Hash() == cur.Hash() && slices.Equal(next.Policies, cur.Policies) {
		return outcomeUnchanged, nil
	}
	next.UpdatedAt = s.now().UTC()
	return outcomeUpdated, s.states.put(ctx, agentID, next, rev)
}

// renderFresh renders the agent from the store as it is now; nil for an
// agent no policy applies to, or that is gone.
func (s *Service) renderFresh(ctx context.Context, agentID string) (*Rendering, error) {
	a, err := s.store.GetAgent(ctx, agentID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ps, err := s.store.ListPolicies(ctx)
	if err != nil {
		return nil, err
	}
	return Render(a, ps)
}

// Match is an agent a policy applies to, and what it gives it.
type Match struct {
	AgentID string            `json:"agent_id"`
	Labels  map[string]string `json:"labels"`
	// Via is ViaSelector or ViaToken.
	Via string `json:"via"`
	// Sections and Models (inputs) are what this policy wins for the
	// agent; the others come from policies before it, or the agent's file.
	Sections []string `json:"sections"`
	Models   []string `json:"models"`
	// Pinned: the agent has a desired state set by hand, which policies
	// leave alone until it is deleted.
	Pinned bool `json:"pinned"`
	// Error is why the agent's desired state cannot be rendered.
	Error string `json:"error,omitempty"`
}

// Preview lists the agents p applies to and what it would give each, were
// it in force beside the other stored policies; p need not be stored.
func (s *Service) Preview(ctx context.Context, p store.Policy) ([]Match, error) {
	ps, err := s.store.ListPolicies(ctx)
	if err != nil {
		return nil, err
	}
	ps = slices.DeleteFunc(ps, func(o store.Policy) bool { return o.Name == p.Name })
	ps = append(ps, p)
	var (
		mu  sync.Mutex
		out = []Match{}
	)
	err = s.eachAgent(ctx, []store.Policy{p}, func(a store.AgentRecord) {
		m := s.match(ctx, p, a, ps)
		mu.Lock()
		defer mu.Unlock()
		out = append(out, m)
	})
	slices.SortFunc(out, func(a, b Match) int { return cmp.Compare(a.AgentID, b.AgentID) })
	return out, err
}

// match says what p gives agent a among the policies ps.
func (s *Service) match(ctx context.Context, p store.Policy, a store.AgentRecord, ps []store.Policy) Match {
	m := Match{AgentID: a.ID, Labels: a.Labels, Via: via(p, a), Sections: []string{}, Models: []string{}}
	if cur, rev, err := s.states.get(ctx, a.ID); err != nil {
		m.Error = err.Error()
	} else {
		m.Pinned = rev != 0 && cur.Source != protocol.DesiredFromPolicies
	}
	r, err := Render(a, ps)
	if err != nil {
		m.Error = err.Error()
		return m
	}
	for _, name := range Sections {
		if r.Sections[name] == p.Name {
			m.Sections = append(m.Sections, name)
		}
	}
	for _, ma := range r.State.Models {
		if r.Models[ma.Input] == p.Name {
			m.Models = append(m.Models, ma.Input)
		}
	}
	return m
}
