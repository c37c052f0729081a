package store

// On-disk schema, version 4 (migrations/0001_init.sql … 0004_auth.sql):
//
//	schema_migrations                  one row per applied migration file
//	  version     BIGINT PRIMARY KEY   NNNN from migrations/NNNN_name.sql
//	  applied_at  BIGINT NOT NULL      unix ns, UTC
//
//	alerts                             one row per alert id, never updated
//	  seq         INTEGER PRIMARY KEY AUTOINCREMENT   insertion order, never reused
//	  id          TEXT NOT NULL UNIQUE protocol.AlertID; re-inserts are no-ops
//	  agent_id    TEXT NOT NULL        index (agent_id, seq)
//	  series      TEXT NOT NULL        canonical protocol.SeriesName; index (series, seq)
//	  ts          BIGINT               alert Timestamp, unix ns; index (ts)
//	  received_at BIGINT               control plane clock, unix ns
//	  body        TEXT NOT NULL        the whole protocol.Alert as JSON, times in UTC
//
//	agents                             latest heartbeat per agent, replaced on upsert
//	  id TEXT PRIMARY KEY, hostname, agent_version TEXT
//	  last_heartbeat, agent_clock, started_at BIGINT   unix ns (receivedAt, SentAt, StartedAt)
//	  interval_seconds DOUBLE PRECISION, outbox_depth BIGINT
//	  inputs, detectors TEXT           []protocol.ComponentHealth as JSON, NULL when empty
//	  outbox TEXT                      [protocol.ComponentHealth] as JSON, NULL when not reported (0002)
//	  outbox_oldest_seconds DOUBLE PRECISION NOT NULL DEFAULT 0 (0002)
//	  config TEXT                      protocol.AppliedConfig as JSON, NULL when not reported (0003)
//
//	users, api_keys, refresh_tokens    people and automation (0004): bcrypt password hashes,
//	                                   keyed SHA-256 hashes of keys and refresh tokens, never the secrets
//	audit_log                          one row per mutating API call (0004): seq, at, actor,
//	                                   method, route, path, status, client
//
// Times are unix nanoseconds in UTC; NULL is the zero time. Times outside
// 1678..2262 clamp to the int64 range in the query columns (body keeps them
// exact). Cursors are base64url (no padding) of "v1:<seq>".
//
// The SQL sticks to forms PostgreSQL also accepts (BIGINT, DOUBLE PRECISION,
// ON CONFLICT ... DO NOTHING/UPDATE, LIMIT ?) except seq's AUTOINCREMENT,
// which is rewritten to an identity column there (Store.migrationSQL), and
// '?' placeholders, numbered there (Store.q). Migrations run under an
// advisory lock on PostgreSQL, so replicas starting together apply each once.

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT NOT NULL PRIMARY KEY,
    applied_at BIGINT NOT NULL
)`

// migration is one embedded migrations/NNNN_name.sql file.
type migration struct {
	version int64
	name    string
	sql     string
}

// migrate applies, in version order, each embedded migration the database
// has not recorded yet, one transaction each, on one connection that holds
// the migration lock (see lockMigrations) throughout.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	unlock, err := s.lockMigrations(ctx, conn)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := conn.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	if err := checkNotNewer(ctx, conn, ms[len(ms)-1].version); err != nil {
		return err
	}
	for _, m := range ms {
		if err := s.apply(ctx, conn, m); err != nil {
			return err
		}
	}
	return nil
}

// checkNotNewer refuses a database written by a newer build: this build
// would misread tables it does not know about.
func checkNotNewer(ctx context.Context, conn *sql.Conn, known int64) error {
	var v int64
	err := conn.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > known {
		return fmt.Errorf("schema version %d is newer than this build knows (%d): upgrade the control plane", v, known)
	}
	return nil
}

// apply applies m unless the database has recorded it already.
func (s *Store) apply(ctx context.Context, conn *sql.Conn, m migration) error {
	applied, err := s.applyTx(ctx, conn, m)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if applied {
		s.logger.Info("applied migration", "version", m.version, "name", m.name)
	}
	return nil
}

// applyTx re-checks inside its transaction: in SQLite it holds the write
// lock from BEGIN, so two processes opening the same file cannot both
// apply m; in PostgreSQL the migration lock already keeps them apart.
func (s *Store) applyTx(ctx context.Context, conn *sql.Conn, m migration) (bool, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var n int
	err = tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM schema_migrations WHERE version = ?"), m.version).Scan(&n)
	if err != nil || n > 0 {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, s.migrationSQL(m)); err != nil {
		return false, err
	}
	_, err = tx.ExecContext(ctx, s.q("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"),
		m.version, time.Now().UnixNano())
	if err != nil {
		return false, fmt.Errorf("record: %w", err)
	}
	return true, tx.Commit()
}

// loadMigrations reads migrations/*.sql from fsys, sorted by version.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("no embedded migrations")
	}
	ms := make([]migration, 0, len(names))
	for _, name := range names {
		m, err := readMigration(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	slices.SortFunc(ms, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

func readMigration(fsys fs.FS, name string) (migration, error) {
	base := path.Base(name)
	prefix, _, _ := strings.Cut(base, "_")
	v, err := strconv.ParseInt(prefix, 10, 64)
	if err != nil || v <= 0 {
		return migration{}, fmt.Errorf("migration %s: name must start with a positive version, as in 0001_init.sql", base)
	}
	body, err := fs.ReadFile(fsys, name)
	if err != nil {
		return migration{}, fmt.Errorf("migration %s: %w", base, err)
	}
	return migration{version: v, name: base, sql: string(body)}, nil
}
