package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrExists is returned for a user name that is taken.
var ErrExists = errors.New("already exists")

// User is a person who signs in. PasswordHash is never sent out.
type User struct {
	ID           string    `json:"id"`
	Username     string    `json:"username"`
	PasswordHash string    `json:"-"`
	Role         string    `json:"role"`
	CreatedAt    time.Time `json:"created_at"`
}

// APIKey is a key for automation; the key itself is shown once, at
// creation, and only its hash is kept.
type APIKey struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	KeyHash   string    `json:"-"`
	Role      string    `json:"role"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// AuditEntry is one mutating call: who, what, when, from where, result.
type AuditEntry struct {
	Seq    int64     `json:"seq"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Method string    `json:"method"`
	Route  string    `json:"route"`
	Path   string    `json:"path"`
	Status int       `json:"status"`
	Client string    `json:"client"`
}

// isUniqueViolation tells a duplicate key from other failures, by each
// driver's own error code.
func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505" // unique_violation
	}
	var lite *sqlite.Error
	return errors.As(err, &lite) && lite.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

// CreateUser stores u; a taken user name is ErrExists.
func (s *Store) CreateUser(ctx context.Context, u User) error {
	_, err := s.db.ExecContext(ctx, s.q("INSERT INTO users (id, username, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)"),
		u.ID, u.Username, u.PasswordHash, u.Role, unixNanos(u.CreatedAt))
	if err != nil && isUniqueViolation(err) {
		return fmt.Errorf("user %s: %w", u.Username, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Username, err)
	}
	return nil
}

const userColumns = "id, username, password_hash, role, created_at"

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var created int64
	err := row.Scan(&u.ID, &u.Username, &u.PasswordHash, &u.Role, &created)
	u.CreatedAt = time.Unix(0, created).UTC()
	return u, err
}

// UserByName returns the user called name, or ErrNotFound.
func (s *Store) UserByName(ctx context.Context, name string) (User, error) {
	return s.oneUser(ctx, "username", name)
}

// GetUser returns the user id, or ErrNotFound.
func (s *Store) GetUser(ctx context.Context, id string) (User, error) {
	return s.oneUser(ctx, "id", id)
}

func (s *Store) oneUser(ctx context.Context, column, value string) (User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, s.q("SELECT "+userColumns+" FROM users WHERE "+column+" = ?"), value))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %s: %w", value, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %s: %w", value, err)
	}
	return u, nil
}

// ListUsers returns every user by name.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	out, err := queryAll(ctx, s.db, "SELECT "+userColumns+" FROM users ORDER BY username", nil,
		func(r *sql.Rows) (User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// CountUsers says whether the first admin still has to be made.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// DeleteUser removes a user and its refresh tokens; ErrNotFound if none.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM users WHERE id = ?"), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %s: %w", id, ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, s.q("DELETE FROM refresh_tokens WHERE user_id = ?"), id)
		return err
	})
}

// CreateAPIKey stores k.
func (s *Store) CreateAPIKey(ctx context.Context, k APIKey) error {
	_, err := s.db.ExecContext(ctx, s.q("INSERT INTO api_keys (id, name, key_hash, role, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)"),
		k.ID, k.Name, k.KeyHash, k.Role, k.CreatedBy, unixNanos(k.CreatedAt))
	if err != nil {
		return fmt.Errorf("create api key %s: %w", k.Name, err)
	}
	return nil
}

const apiKeyColumns = "id, name, key_hash, role, created_by, created_at, revoked_at"

func scanAPIKey(row interface{ Scan(...any) error }) (APIKey, error) {
	var k APIKey
	var created int64
	var revoked sql.NullInt64
	err := row.Scan(&k.ID, &k.Name, &k.KeyHash, &k.Role, &k.CreatedBy, &created, &revoked)
	k.CreatedAt, k.RevokedAt = time.Unix(0, created).UTC(), fromNanos(revoked)
	return k, err
}

// APIKeyByHash returns the unrevoked key with hash h, or ErrNotFound.
func (s *Store) APIKeyByHash(ctx context.Context, h string) (APIKey, error) {
	st, err := s.prepared(ctx, s.q("SELECT "+apiKeyColumns+" FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL"))
	if err != nil {
		return APIKey{}, fmt.Errorf("get api key: %w", err)
	}
	k, err := scanAPIKey(st.QueryRowContext(ctx, h))
	if errors.Is(err, sql.ErrNoRows) {
		return APIKey{}, fmt.Errorf("api key: %w", ErrNotFound)
	}
	if err != nil {
		return APIKey{}, fmt.Errorf("get api key: %w", err)
	}
	return k, nil
}

// ListAPIKeys returns every key, revoked ones included, newest first.
func (s *Store) ListAPIKeys(ctx context.Context) ([]APIKey, error) {
	out, err := queryAll(ctx, s.db, "SELECT "+apiKeyColumns+" FROM api_keys ORDER BY created_at DESC, id", nil,
		func(r *sql.Rows) (APIKey, error) { return scanAPIKey(r) })
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return out, nil
}

// RevokeAPIKey revokes key id at once; ErrNotFound if there is no such
// unrevoked key.
func (s *Store) RevokeAPIKey(ctx context.Context, id string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, s.q("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"), unixNanos(at), id)
	if err != nil {
		return fmt.Errorf("revoke api key %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("api key %s: %w", id, ErrNotFound)
	}
	return nil
}

// SaveRefreshToken stores a refresh token's hash for user until expires.
func (s *Store) SaveRefreshToken(ctx context.Context, hash, userID string, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q("INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES (?, ?, ?)"),
		hash, userID, unixNanos(expires))
	if err != nil {
		return fmt.Errorf("save refresh token: %w", err)
	}
	return nil
}

// UseRefreshToken spends the refresh token with hash, once: it returns
// its user, or ErrNotFound when it is unknown, spent or expired. Each
// refresh hands out a new token (rotation), so a stolen one works once.
func (s *Store) UseRefreshToken(ctx context.Context, hash string, now time.Time) (string, error) {
	var user string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?"),
			unixNanos(now), hash, unixNanos(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("refresh token: %w", ErrNotFound)
		}
		return tx.QueryRowContext(ctx, s.q("SELECT user_id FROM refresh_tokens WHERE token_hash = ?"), hash).Scan(&user)
	})
	return user, err
}

// AppendAudit records e.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) error {
	_, err := s.db.ExecContext(ctx, s.q("INSERT INTO audit_log (at, actor, method, route, path, status, client) VALUES (?, ?, ?, ?, ?, ?, ?)"),
		unixNanos(e.At), e.Actor, e.Method, e.Route, e.Path, e.Status, e.Client)
	if err != nil {
		return fmt.Errorf("append audit entry: %w", err)
	}
	return nil
}

// ListAudit returns up to limit entries older than before (0: the newest),
// newest first.
func (s *Store) ListAudit(ctx context.Context, before int64, limit int) ([]AuditEntry, error) {
	q, args := "SELECT seq, at, actor, method, route, path, status, client FROM audit_log", []any{}
	if before > 0 {
		q, args = q+" WHERE seq < ?", append(args, before)
	}
	rows, err := s.db.QueryContext(ctx, s.q(q+" ORDER BY seq DESC LIMIT ?"), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Method, &e.Route, &e.Path, &e.Status, &e.Client); err != nil {
			return nil, fmt.Errorf("list audit log: %w", err)
		}
		e.At = time.Unix(0, at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// inTx runs f in a transaction, committed if f returns nil.
func (s *Store) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}
