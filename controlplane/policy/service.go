package policy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"

	"github.com/pynomaly/pynomaly/controlplane/desired"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

// Store is what policies need from the control plane's store.
type Store interface {
	ListPolicies(ctx context.Context) ([]store.Policy, error)
	GetPolicy(ctx context.Context, name string) (store.Policy, error)
	PolicyRevisions(ctx context.Context, name string) ([]store.Policy, error)
	CreatePolicy(ctx context.Context, p store.Policy) (store.Policy, error)
	ApplyPolicy(ctx context.Context, p store.Policy) (store.PolicyWrite, error)
	RollbackPolicy(ctx context.Context, name string, to int64, by string, at time.Time) (store.PolicyWrite, error)
	DeletePolicy(ctx context.Context, name string) (store.Policy, error)
	GetAgent(ctx context.Context, id string) (store.AgentRecord, error)
	ListAgents(ctx context.Context, f store.AgentFilter) ([]store.AgentRecord, error)
}

// Options configures a Service.
type Options struct {
	Store Store
	// Desired holds the desired states the service writes and the model
	// versions policies name; JetStream is the connection under it, for
	// the conditional writes.
	Desired   *desired.Store
	JetStream jetstream.JetStream
	Logger    *slog.Logger
	// Now is the clock of revisions; nil means time.Now.
	Now func() time.Time
}

// Service keeps agents' desired states in line with the policies. Its
// methods are safe for concurrent use, and across replicas (see the
// package documentation).
type Service struct {
	store  Store
	states *states
	logger *slog.Logger
	now    func() time.Time
}

// New returns a Service; it does not touch the network.
func New(opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{store: opts.Store, states: &states{desired: opts.Desired, js: opts.JetStream},
		logger: opts.Logger.With("component", "policy"), now: opts.Now}
}

// renderConcurrency bounds the agents rendered at once after a policy
// change.
const renderConcurrency = 8

// agentPage is how many agents a policy change reads at a time.
const agentPage = 500

// Outcomes of rendering one agent.
const (
	outcomeUpdated   = "updated"
	outcomeRemoved   = "removed"
	outcomeUnchanged = "unchanged"
	outcomePinned    = "pinned"
)

// Report says what a policy change did to the agents it reached.
type Report struct {
	// Updated agents got a new desired state; Removed ones had theirs
	// deleted (no policy applies any more); Unchanged ones had the right
	// one already.
	Updated   int `json:"updated"`
	Removed   int `json:"removed"`
	Unchanged int `json:"unchanged"`
	// Pinned agents have a desired state set by hand, which policies
	// leave alone.
	Pinned []string `json:"pinned"`
	// Failed agents keep the desired state they had.
	Failed []Failure `json:"failed"`
}

// Failure is an agent whose desired state could not be rendered.
type Failure struct {
	AgentID string `json:"agent_id"`
	Error   string `json:"error"`
}

// Result is the outcome of a policy change.
type Result struct {
	// Policy is the revision in force; nil after a delete.
	Policy *store.Policy `json:"policy,omitempty"`
	// Changed is false when the content was already in force; the
	// agents are rendered anyway, so applying again retries failures.
	Changed bool   `json:"changed"`
	Agents  Report `json:"agents"`
}

// List returns the policies, in precedence order.
func (s *Service) List(ctx context.Context) ([]store.Policy, error) { return s.store.ListPolicies(ctx) }

// Get returns a policy, or store.ErrNotFound.
func (s *Service) Get(ctx context.Context, name string) (store.Policy, error) {
	return s.store.GetPolicy(ctx, name)
}

// Revisions returns a policy's kept revisions, newest first.
func (s *Service) Revisions(ctx context.Context, name string) ([]store.Policy, error) {
	return s.store.PolicyRevisions(ctx, name)
}

// Check validates p, and that the model versions it names exist.
func (s *Service) Check(ctx context.Context, p store.Policy) error {
	if err := Validate(p); err != nil {
		return err
	}
	for i, m := range p.Models {
		if _, err := s.states.desired.Model(ctx, m.Name, m.Version); errors.Is(err, desired.ErrModelNotFound) {
			return fmt.Errorf("models[%d]: %w: %s (upload it first)", i, ErrUnknownModel, protocol.ModelObject(m.Name, m.Version))
		} else if err != nil {
			return err
		}
	}
	return nil
}

// Create stores a new policy (store.ErrExists if its name is taken) and
// renders the agents it applies to.
func (s *Service) Create(ctx context.Context, p store.Policy, by string) (Result, error) {
	return s.write(ctx, p, by, func(p store.Policy) (store.PolicyWrite, error) {
		created, err := s.store.CreatePolicy(ctx, p)
		return store.PolicyWrite{Policy: created, Changed: true}, err
	})
}

// Apply creates or updates a policy and renders the agents it applied to
// or applies to now.
func (s *Service) Apply(ctx context.Context, p store.Policy, by string) (Result, error) {
	return s.write(ctx, p, by, func(p store.Policy) (store.PolicyWrite, error) { return s.store.ApplyPolicy(ctx, p) })
}

func (s *Service) write(ctx context.Context, p store.Policy, by string, do func(store.Policy) (store.PolicyWrite, error)) (Result, error) {
	if err := s.Check(ctx, p); err != nil {
		return Result{}, err
	}
	p.UpdatedBy, p.UpdatedAt = by, s.now().UTC()
	w, err := do(p)
	if err != nil {
		return Result{}, err
	}
	return s.changed(ctx, w), nil
}

// Rollback makes revision to of a policy (0: the one before the current)
// in force again, as a new revision, and renders its agents.
func (s *Service) Rollback(ctx context.Context, name string, to int64, by string) (Result, error) {
	w, err := s.store.RollbackPolicy(ctx, name, to, by, s.now().UTC())
	if err != nil {
		return Result{}, err
	}
	return s.changed(ctx, w), nil
}

// Delete removes a policy and renders the agents it applied to.
func (s *Service) Delete(ctx context.Context, name string) (Result, error) {
	old, err := s.store.DeletePolicy(ctx, name)
	if err != nil {
		return Result{}, err
	}
	return Result{Changed: true, Agents: s.renderReached(ctx, old)}, nil
}

func (s *Service) changed(ctx context.Context, w store.PolicyWrite) Result {
	reached := []store.Policy{w.Policy}
	if w.Old != nil {
		reached = append(reached, *w.Old)
	}
	return Result{Policy: &w.Policy, Changed: w.Changed, Agents: s.renderReached(ctx, reached...)}
}

// renderReached renders every agent one of ps applies to.
func (s *Service) renderReached(ctx context.Context, ps ...store.Policy) Report {
	var (
		mu  sync.Mutex
		rep = Report{Pinned: []string{}, Failed: []Failure{}}
	)
	err := s.eachAgent(ctx, ps, func(a store.AgentRecord) {
		outcome, err := s.render(ctx, a.ID)
		mu.Lock()
		defer mu.Unlock()
		rep.add(a.ID, outcome, err)
	})
	if err != nil {
		rep.Failed = append(rep.Failed, Failure{Error: "listing agents: " + err.Error()})
	}
	slices.Sort(rep.Pinned)
	slices.SortFunc(rep.Failed, func(a, b Failure) int { return cmp.Compare(a.AgentID, b.AgentID) })
	if len(rep.Failed) > 0 {
		s.logger.Warn("some agents' desired states were not rendered", "policies", names(ps), "failed", len(rep.Failed),
			"first_agent", rep.Failed[0].AgentID, "err", rep.Failed[0].Error)
	}
	return rep
}

func (r *Report) add(id, outcome string, err error) {
	switch {
	case err != nil:
		r.Failed = append(r.Failed, Failure{AgentID: id, Error: err.Error()})
	case outcome == outcomeUpdated:
		r.Updated++
	case outcome == outcomeRemoved:
		r.Removed++
	case outcome == outcomePinned:
		r.Pinned = append(r.Pinned, id)
	default:
		r.Unchanged++
	}
}

// eachAgent calls f, a few at a time, for every agent one of ps applies
// to, reading the fleet a page at a time.
func (s *Service) eachAgent(ctx context.Context, ps []store.Policy, f func(store.AgentRecord)) error {
	for after := ""; ; {
		page, err := s.store.ListAgents(ctx, store.AgentFilter{After: after, Limit: agentPage})
		if err != nil {
			return err
		}
		var g errgroup.Group
		g.SetLimit(renderConcurrency)
		for _, a := range page {
			if slices.ContainsFunc(ps, func(p store.Policy) bool { return via(p, a) != "" }) {
				g.Go(func() error { f(a); return nil })
			}
		}
		_ = g.Wait() // f reports its own errors
		if len(page) < agentPage {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

func names(ps []store.Policy) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}
