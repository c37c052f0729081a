package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Errors of enrollment, told apart so the API can say what is wrong with
// a token without a second lookup.
var (
	ErrTokenUnknown = errors.New("enrollment token is not known")
	ErrTokenRevoked = errors.New("enrollment token was revoked")
	ErrTokenExpired = errors.New("enrollment token has expired")
	ErrTokenUsedUp  = errors.New("enrollment token has been used as many times as it allows")
)

// EnrollmentToken lets agents enroll. The token itself is shown once, at
// creation; only its hash is kept.
type EnrollmentToken struct {
	ID          string            `json:"id"`
	TokenHash   string            `json:"-"`
	Description string            `json:"description"`
	Labels      map[string]string `json:"labels"`
	// Policy names a policy applied to every agent enrolled with the
	// token, beside those whose selectors match its labels.
	Policy string `json:"policy,omitempty"`
	// MaxUses bounds how many agents may enroll with it; 0 for no bound.
	MaxUses   int64     `json:"max_uses"`
	Uses      int64     `json:"uses"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

const tokenColumns = "id, token_hash, description, labels, policy, max_uses, uses, created_by, created_at, expires_at, revoked_at"

// CreateEnrollmentToken stores t.
func (s *Store) CreateEnrollmentToken(ctx context.Context, t EnrollmentToken) error {
	labels, err := labelsJSON(t.Labels)
	if err != nil {
		return fmt.Errorf("create enrollment token: %w", err)
	}
	_, err = s.db.ExecContext(ctx, s.q("INSERT INTO enrollment_tokens ("+tokenColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
		t.ID, t.TokenHash, t.Description, labels, t.Policy, t.MaxUses, t.Uses, t.CreatedBy,
		unixNanos(t.CreatedAt), nullNanos(t.ExpiresAt), nullNanos(t.RevokedAt))
	if err != nil {
		return fmt.Errorf("create enrollment token: %w", err)
	}
	return nil
}

func scanToken(row interface{ Scan(...any) error }) (EnrollmentToken, error) {
	var (
		t                EnrollmentToken
		labels           string
		created          int64
		expires, revoked sql.NullInt64
	)
	if err := row.Scan(&t.ID, &t.TokenHash, &t.Description, &labels, &t.Policy, &t.MaxUses, &t.Uses,
		&t.CreatedBy, &created, &expires, &revoked); err != nil {
		return EnrollmentToken{}, err
	}
	if err := json.Unmarshal([]byte(labels), &t.Labels); err != nil {
		return EnrollmentToken{}, fmt.Errorf("token %s labels: %w", t.ID, err)
	}
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = time.Unix(0, created).UTC(), fromNanos(expires), fromNanos(revoked)
	return t, nil
}

// ListEnrollmentTokens returns every token, newest first.
func (s *Store) ListEnrollmentTokens(ctx context.Context) ([]EnrollmentToken, error) {
	out, err := queryAll(ctx, s.db, "SELECT "+tokenColumns+" FROM enrollment_tokens ORDER BY created_at DESC, id", nil,
		func(r *sql.Rows) (EnrollmentToken, error) { return scanToken(r) })
	if err != nil {
		return nil, fmt.Errorf("list enrollment tokens: %w", err)
	}
	return out, nil
}

// RevokeEnrollmentToken stops id from enrolling more agents; agents it
// enrolled keep their credentials. An unknown id is ErrNotFound.
func (s *Store) RevokeEnrollmentToken(ctx context.Context, id string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, s.q("UPDATE enrollment_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"), unixNanos(at), id)
	if err != nil {
		return fmt.Errorf("revoke enrollment token %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var one int
		if err := s.db.QueryRowContext(ctx, s.q("SELECT 1 FROM enrollment_tokens WHERE id = ?"), id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("enrollment token %s: %w", id, ErrNotFound)
		}
	}
	return nil
}

// Enrollment is one agent's request to enroll, with the hashes the
// caller computed.
type Enrollment struct {
	TokenHash string
	// AgentID is the id the agent asks for (usually from its host name).
	// If another enrolled agent holds it, the agent gets it with a
	// random suffix instead.
	AgentID  string
	Hostname string
	Version  string
	// SecretHash is the hash of the new secret the agent will present.
	SecretHash string
	// PreviousID and PreviousSecretHash prove the agent held an identity
	// before (it is re-enrolling); with a match, it keeps that id and the
	// old secret stops working.
	PreviousID         string
	PreviousSecretHash string
	Now                time.Time
}

// Enrolled is the identity an enrollment gave.
type Enrolled struct {
	AgentID string            `json:"agent_id"`
	Labels  map[string]string `json:"labels"`
	Policy  string            `json:"policy,omitempty"`
	// Replaced is true when the agent proved its previous identity and
	// kept it.
	Replaced bool `json:"replaced"`
}

// Enroll spends one use of a token and gives the agent its identity: its
// credentials row, its agent row (so it is listed before its first
// heartbeat) and the token's labels, merged over any it had.
func (s *Store) Enroll(ctx context.Context, e Enrollment) (Enrolled, error) {
	var out Enrolled
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		t, err := scanToken(tx.QueryRowContext(ctx, s.q("SELECT "+tokenColumns+" FROM enrollment_tokens WHERE token_hash = ?"), e.TokenHash))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrTokenUnknown
		case err != nil:
			return err
		case !t.RevokedAt.IsZero():
			return ErrTokenRevoked
		case !t.ExpiresAt.IsZero() && !e.Now.Before(t.ExpiresAt):
			return ErrTokenExpired
		case t.MaxUses > 0 && t.Uses >= t.MaxUses:
			return ErrTokenUsedUp
		}
		// The use is counted with a guard, so two agents racing for a
		// token's last use cannot both have it.
		res, err := tx.ExecContext(ctx, s.q("UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = ? AND (max_uses = 0 OR uses < max_uses)"), t.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrTokenUsedUp
		}
		id, replaced, err := s.pickAgentID(ctx, tx, e)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO agent_credentials (agent_id, secret_hash, token_id, created_at, revoked_at)
VALUES (?, ?, ?, ?, NULL)
ON CONFLICT (agent_id) DO UPDATE SET secret_hash = excluded.secret_hash, token_id = excluded.token_id,
    created_at = excluded.created_at, revoked_at = NULL`), id, e.SecretHash, t.ID, unixNanos(e.Now))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO agents (id, hostname, agent_version, interval_seconds, outbox_depth, enrolled_at, policy)
VALUES (?, ?, ?, 0, 0, ?, ?)
ON CONFLICT (id) DO UPDATE SET enrolled_at = excluded.enrolled_at, policy = excluded.policy`),
			id, e.Hostname, e.Version, unixNanos(e.Now), t.Policy)
		if err != nil {
			return err
		}
		labels, err := s.agentLabels(ctx, tx, id)
		if err != nil {
			return err
		}
		maps.Copy(labels, t.Labels)
		if err := s.replaceLabels(ctx, tx, id, labels); err != nil {
			return err
		}
		out = Enrolled{AgentID: id, Labels: labels, Policy: t.Policy, Replaced: replaced}
		return nil
	})
	if err != nil {
		return Enrolled{}, fmt.Errorf("enroll %s: %w", e.AgentID, err)
	}
	return out, nil
}

// pickAgentID decides the enrolling agent's id: its previous one when it
// proves it, the one it asks for when no enrolled agent holds it, else
// that one with a random suffix. An id that only ever reported in with
// the shared token is taken over: that is the host moving to its own
// credentials.
func (s *Store) pickAgentID(ctx context.Context, tx *sql.Tx, e Enrollment) (string, bool, error) {
	if e.PreviousID != "" {
		var hash string
		var revoked sql.NullInt64
		err := tx.QueryRowContext(ctx, s.q("SELECT secret_hash, revoked_at FROM agent_credentials WHERE agent_id = ?"), e.PreviousID).Scan(&hash, &revoked)
		if err == nil && !revoked.Valid && hash == e.PreviousSecretHash {
			return e.PreviousID, true, nil
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", false, err
		}
	}
	id := e.AgentID
	for range 8 {
		var one int
		err := tx.QueryRowContext(ctx, s.q("SELECT 1 FROM agent_credentials WHERE agent_id = ? AND revoked_at IS NULL"), id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return id, false, nil
		}
		if err != nil {
			return "", false, err
		}
		id = suffixed(e.AgentID)
	}
	return "", false, fmt.Errorf("no free agent id like %s", e.AgentID)
}

// suffixed is id with 6 random lowercase letters and digits appended,
// within the 128 characters of an agent id.
func suffixed(id string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 6)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return id[:min(len(id), 121)] + "-" + string(b)
}

// AgentSecretHash returns the secret hash of an enrolled agent, or
// ErrNotFound when it never enrolled or was unenrolled.
func (s *Store) AgentSecretHash(ctx context.Context, id string) (string, error) {
	var hash string
	err := s.db.QueryRowContext(ctx, s.q("SELECT secret_hash FROM agent_credentials WHERE agent_id = ? AND revoked_at IS NULL"), id).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("agent %s credentials: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("agent %s credentials: %w", id, err)
	}
	return hash, nil
}

// Unenroll removes an agent: its credentials stop working, and it leaves
// the agent list with its labels. Its alerts stay. An agent the store
// does not know is ErrNotFound.
func (s *Store) Unenroll(ctx context.Context, id string, at time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM agents WHERE id = ?"), id)
		if err != nil {
			return err
		}
		gone, _ := res.RowsAffected()
		res, err = tx.ExecContext(ctx, s.q("UPDATE agent_credentials SET revoked_at = ?, secret_hash = '' WHERE agent_id = ? AND revoked_at IS NULL"), unixNanos(at), id)
		if err != nil {
			return err
		}
		revoked, _ := res.RowsAffected()
		if gone == 0 && revoked == 0 {
			return ErrNotFound
		}
		_, err = tx.ExecContext(ctx, s.q("DELETE FROM agent_labels WHERE agent_id = ?"), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("unenroll agent %s: %w", id, err)
	}
	return nil
}

// UpdateLabels sets and removes labels of an agent in one step: set
// entries are added or replaced, remove names are deleted. It returns the
// agent's labels after the change; an unknown agent is ErrNotFound.
func (s *Store) UpdateLabels(ctx context.Context, id string, set map[string]string, remove []string) (map[string]string, error) {
	var out map[string]string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, s.q("SELECT 1 FROM agents WHERE id = ?"), id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		labels, err := s.agentLabels(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, k := range remove {
			delete(labels, k)
		}
		maps.Copy(labels, set)
		out = labels
		return s.replaceLabels(ctx, tx, id, labels)
	})
	if err != nil {
		return nil, fmt.Errorf("label agent %s: %w", id, err)
	}
	return out, nil
}

// replaceLabels makes labels the agent's labels, in both places they are
// kept: the row's JSON and the table queries find agents by.
func (s *Store) replaceLabels(ctx context.Context, tx *sql.Tx, id string, labels map[string]string) error {
	doc, err := labelsJSON(labels)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q("UPDATE agents SET labels = ? WHERE id = ?"), doc, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q("DELETE FROM agent_labels WHERE agent_id = ?"), id); err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO agent_labels (agent_id, name, value) VALUES (?, ?, ?)"), id, k, labels[k]); err != nil {
			return err
		}
	}
	return nil
}

// agentLabels reads an agent's labels in tx; none (or no agent) is an
// empty map.
func (s *Store) agentLabels(ctx context.Context, tx *sql.Tx, id string) (map[string]string, error) {
	var doc string
	err := tx.QueryRowContext(ctx, s.q("SELECT labels FROM agents WHERE id = ?"), id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	labels, err := parseLabels(doc)
	if err != nil {
		return nil, fmt.Errorf("agent %s labels: %w", id, err)
	}
	return labels, nil
}

// parseLabels reads an agent's labels column, never giving nil. Label
// names and values are printable ASCII that JSON does not escape, so what
// labelsJSON wrote is read by splitting at quotes; anything else (a document edited
// by hand) goes through encoding/json. Listing agents reads one per row,
// and encoding/json's reflection was a seventh of a page's cost.
func parseLabels(doc string) (map[string]string, error) {
	if strings.ContainsFunc(doc, func(r rune) bool { return r < ' ' || r > '~' || r == '\\' }) {
		return decodeLabels(doc) // escapes, control bytes, not ASCII
	}
	inner, ok1 := strings.CutPrefix(doc, "{")
	inner, ok2 := strings.CutSuffix(inner, "}")
	if !ok1 || !ok2 {
		return decodeLabels(doc)
	}
	labels := make(map[string]string, strings.Count(inner, ",")+1)
	for inner != "" {
		// "name":"value" followed by "," or the end.
		parts := strings.SplitN(inner, "\"", 5)
		if len(parts) < 5 || parts[0] != "" || parts[2] != ":" {
			return decodeLabels(doc)
		}
		labels[parts[1]] = parts[3]
		rest, more := strings.CutPrefix(parts[4], ",")
		if more == (rest == "") { // junk after a pair, or a trailing comma
			return decodeLabels(doc)
		}
		inner = rest
	}
	return labels, nil
}

func decodeLabels(doc string) (map[string]string, error) {
	labels := map[string]string{}
	if err := json.Unmarshal([]byte(doc), &labels); err != nil {
		return nil, err
	}
	if labels == nil { // the document "null"
		labels = map[string]string{}
	}
	return labels, nil
}

// queryAll runs query and scans every row with scan; no rows give an
// empty, non-nil slice (JSON shows []).
func queryAll[T any](ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args []any, scan func(*sql.Rows) (T, error)) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func labelsJSON(labels map[string]string) (string, error) {
	if labels == nil {
		labels = map[string]string{}
	}
	b, err := json.Marshal(labels)
	return string(b), err
}
