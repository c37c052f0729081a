package store

// Policies (migration 0006):
//
//	policies                   one row per policy
//	  name TEXT PRIMARY KEY
//	  revision BIGINT          the revision in force, in policy_revisions
//	  created_at BIGINT        unix ns
//	policy_revisions           the last keptRevisions revisions of each policy
//	  (name, revision) PRIMARY KEY; description, selector, pipeline TEXT;
//	  priority BIGINT; models TEXT (JSON [PolicyModel]);
//	  restored_from BIGINT (0 but for a rollback); created_at BIGINT; created_by TEXT
//
// Writers take the policy's row lock first (UPDATE … RETURNING), so two
// replicas changing one policy at once make two revisions, one after the
// other, never the same revision twice.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// keptRevisions bounds the revisions kept per policy, for rollback and
// history.
const keptRevisions = 20

// Policy is a revision of a policy: pipeline configuration for every agent
// its selector matches (see controlplane/policy for what the fields mean).
type Policy struct {
	Name        string        `json:"name"`
	Description string        `json:"description,omitempty"`
	Selector    string        `json:"selector"`
	Priority    int           `json:"priority"`
	Pipeline    string        `json:"pipeline,omitempty"`
	Models      []PolicyModel `json:"models,omitempty"`
	Revision    int64         `json:"revision"`
	// RestoredFrom is the revision a rollback copied into this one.
	RestoredFrom int64 `json:"restored_from,omitempty"`
	// CreatedAt is when the policy was first written; UpdatedAt and
	// UpdatedBy are this revision's.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

// PolicyModel assigns a model version to an input by name.
type PolicyModel struct {
	Input   string `json:"input"`
	Name    string `json:"name"`
	Version string `json:"version"`
}

// SameContent reports whether p and o configure agents alike, whatever
// their revisions and authors.
func (p Policy) SameContent(o Policy) bool {
	return p.Description == o.Description && p.Selector == o.Selector && p.Priority == o.Priority &&
		p.Pipeline == o.Pipeline && slices.Equal(p.Models, o.Models)
}

// PolicyWrite is what a write did to a policy.
type PolicyWrite struct {
	// Old is the revision that was in force before; nil for a new policy.
	Old *Policy `json:"-"`
	// Policy is the revision in force now.
	Policy Policy `json:"policy"`
	// Changed is false when the content was already in force: nothing
	// was written.
	Changed bool `json:"changed"`
}

const revisionColumns = "r.name, r.revision, r.description, r.selector, r.priority, r.pipeline, r.models, r.restored_from, p.created_at, r.created_at, r.created_by"

const currentPolicies = "SELECT " + revisionColumns + " FROM policies p JOIN policy_revisions r ON r.name = p.name AND r.revision = p.revision"

func scanPolicy(row interface{ Scan(...any) error }) (Policy, error) {
	var (
		p                Policy
		models           string
		created, updated int64
	)
	if err := row.Scan(&p.Name, &p.Revision, &p.Description, &p.Selector, &p.Priority, &p.Pipeline, &models,
		&p.RestoredFrom, &created, &updated, &p.UpdatedBy); err != nil {
		return Policy{}, err
	}
	if err := json.Unmarshal([]byte(models), &p.Models); err != nil {
		return Policy{}, fmt.Errorf("policy %s revision %d models: %w", p.Name, p.Revision, err)
	}
	p.CreatedAt, p.UpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
	return p, nil
}

// ListPolicies returns the policies in force, highest priority first,
// then by name: the order in which their sections take precedence.
func (s *Store) ListPolicies(ctx context.Context) ([]Policy, error) {
	return s.queryPolicies(ctx, "list policies", currentPolicies+" ORDER BY r.priority DESC, p.name")
}

// PolicyRevisions returns the kept revisions of a policy, newest first;
// an unknown policy is ErrNotFound.
func (s *Store) PolicyRevisions(ctx context.Context, name string) ([]Policy, error) {
	out, err := s.queryPolicies(ctx, "policy "+name+" revisions", "SELECT "+revisionColumns+
		" FROM policies p JOIN policy_revisions r ON r.name = p.name WHERE p.name = ? ORDER BY r.revision DESC", name)
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("policy %s: %w", name, ErrNotFound)
	}
	return out, err
}

func (s *Store) queryPolicies(ctx context.Context, what, query string, args ...any) ([]Policy, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := []Policy{}
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// GetPolicy returns the revision in force of a policy, or ErrNotFound.
func (s *Store) GetPolicy(ctx context.Context, name string) (Policy, error) {
	p, err := scanPolicy(s.db.QueryRowContext(ctx, s.q(currentPolicies+" WHERE p.name = ?"), name))
	if errors.Is(err, sql.ErrNoRows) {
		return Policy{}, fmt.Errorf("policy %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return Policy{}, fmt.Errorf("get policy %s: %w", name, err)
	}
	return p, nil
}

// CreatePolicy stores p as revision 1 of a new policy; a taken name is
// ErrExists. UpdatedAt is the creation time.
func (s *Store) CreatePolicy(ctx context.Context, p Policy) (Policy, error) {
	w, err := s.writePolicy(ctx, p, true)
	return w.Policy, err
}

// ApplyPolicy creates p, or makes it a new revision of the policy of its
// name unless that content is already in force.
func (s *Store) ApplyPolicy(ctx context.Context, p Policy) (PolicyWrite, error) {
	return s.writePolicy(ctx, p, false)
}

func (s *Store) writePolicy(ctx context.Context, p Policy, create bool) (PolicyWrite, error) {
	var w PolicyWrite
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("INSERT INTO policies (name, revision, created_at) VALUES (?, 0, ?) ON CONFLICT (name) DO NOTHING"),
			p.Name, unixNanos(p.UpdatedAt))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); create && n == 0 {
			return ErrExists
		}
		w, err = s.newRevision(ctx, tx, p)
		return err
	})
	if err != nil {
		return PolicyWrite{}, fmt.Errorf("write policy %s: %w", p.Name, err)
	}
	return w, nil
}

// RollbackPolicy makes revision to of a policy (0: the one before the
// revision in force) in force again, as a new revision. A policy or a
// revision that is not kept is ErrNotFound.
func (s *Store) RollbackPolicy(ctx context.Context, name string, to int64, by string, at time.Time) (PolicyWrite, error) {
	var w PolicyWrite
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, _, err := s.lockPolicy(ctx, tx, name)
		if err != nil {
			return err
		}
		if to == 0 {
			to = cur - 1
		}
		if to < 1 || to >= cur {
			return fmt.Errorf("policy %s is at revision %d: no revision %d to roll back to: %w", name, cur, to, ErrNotFound)
		}
		p, err := s.loadRevision(ctx, tx, name, to)
		if err != nil {
			return err
		}
		p.RestoredFrom, p.UpdatedBy, p.UpdatedAt = to, by, at
		w, err = s.newRevision(ctx, tx, p)
		return err
	})
	if err != nil {
		return PolicyWrite{}, fmt.Errorf("roll back policy %s: %w", name, err)
	}
	return w, nil
}

// DeletePolicy removes a policy with its revisions and returns the
// revision that was in force; an unknown one is ErrNotFound.
func (s *Store) DeletePolicy(ctx context.Context, name string) (Policy, error) {
	var old Policy
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, _, err := s.lockPolicy(ctx, tx, name)
		if err != nil {
			return err
		}
		if old, err = s.loadRevision(ctx, tx, name, cur); err != nil {
			return err
		}
		for _, table := range []string{"policy_revisions", "policies"} {
			if _, err := tx.ExecContext(ctx, s.q("DELETE FROM "+table+" WHERE name = ?"), name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Policy{}, fmt.Errorf("delete policy %s: %w", name, err)
	}
	return old, nil
}

// lockPolicy takes the policy's row lock until tx ends and returns its
// revision in force (0 for one just inserted) and creation time.
func (s *Store) lockPolicy(ctx context.Context, tx *sql.Tx, name string) (int64, int64, error) {
	var rev, created int64
	err := tx.QueryRowContext(ctx, s.q("UPDATE policies SET revision = revision WHERE name = ? RETURNING revision, created_at"), name).Scan(&rev, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, fmt.Errorf("policy %s: %w", name, ErrNotFound)
	}
	return rev, created, err
}

func (s *Store) loadRevision(ctx context.Context, tx *sql.Tx, name string, rev int64) (Policy, error) {
	p, err := scanPolicy(tx.QueryRowContext(ctx, s.q("SELECT "+revisionColumns+
		" FROM policies p JOIN policy_revisions r ON r.name = p.name WHERE p.name = ? AND r.revision = ?"), name, rev))
	if errors.Is(err, sql.ErrNoRows) {
		return Policy{}, fmt.Errorf("policy %s revision %d is not kept: %w", name, rev, ErrNotFound)
	}
	return p, err
}

// newRevision makes p the policy's revision in force, unless its content
// already is.
func (s *Store) newRevision(ctx context.Context, tx *sql.Tx, p Policy) (PolicyWrite, error) {
	cur, created, err := s.lockPolicy(ctx, tx, p.Name)
	if err != nil {
		return PolicyWrite{}, err
	}
	var w PolicyWrite
	if cur > 0 {
		old, err := s.loadRevision(ctx, tx, p.Name, cur)
		if err != nil {
			return PolicyWrite{}, err
		}
		if old.SameContent(p) {
			return PolicyWrite{Old: &old, Policy: old}, nil
		}
		w.Old = &old
	}
	p.Revision, p.CreatedAt = cur+1, time.Unix(0, created).UTC()
	p.UpdatedAt = p.UpdatedAt.UTC()
	models, err := json.Marshal(p.Models)
	if err != nil {
		return PolicyWrite{}, err
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO policy_revisions (name, revision, description, selector, priority, pipeline, models,
    restored_from, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		p.Name, p.Revision, p.Description, p.Selector, p.Priority, p.Pipeline, string(models), p.RestoredFrom, unixNanos(p.UpdatedAt), p.UpdatedBy)
	if err != nil {
		return PolicyWrite{}, err
	}
	if _, err := tx.ExecContext(ctx, s.q("UPDATE policies SET revision = ? WHERE name = ?"), p.Revision, p.Name); err != nil {
		return PolicyWrite{}, err
	}
	_, err = tx.ExecContext(ctx, s.q("DELETE FROM policy_revisions WHERE name = ? AND revision <= ?"), p.Name, p.Revision-keptRevisions)
	w.Policy, w.Changed = p, true
	return w, err
}
