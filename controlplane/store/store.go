package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dsnParams configure every pooled connection. WAL lets readers run beside
// the single writer; busy_timeout makes a writer wait for the lock instead of
// failing with SQLITE_BUSY; _txlock=immediate takes the write lock at BEGIN,
// so a transaction never has to upgrade a read snapshot that another writer
// has made stale (that upgrade fails at once, without waiting).
// synchronous(FULL) fsyncs the WAL at every commit: ingest acknowledges
// alerts to JetStream right after the commit, so a commit that a power loss
// could undo would lose alerts nobody holds any more.
//
// The rest is for the writer's speed, which bounds how fast a backlog
// drains (bench/drain). cache_size: a page cache of up to 32 MiB per
// connection instead of 2 MiB holds the alert id index, where every insert
// lands on a random page; pages are only allocated as they are read.
// wal_autocheckpoint: copying the WAL back into the database every 10,000
// pages (40 MiB) instead of 1,000 writes a page touched by many commits
// once instead of many times; the WAL file keeps that size once it has
// grown to it.
const dsnParams = "_pragma=busy_timeout(5000)" +
	"&_pragma=journal_mode(WAL)" +
	"&_pragma=synchronous(FULL)" +
	"&_pragma=cache_size(-32768)" +
	"&_pragma=wal_autocheckpoint(10000)" +
	"&_pragma=foreign_keys(1)" +
	"&_txlock=immediate"

// maxOpenConns bounds the pool: SQLite admits one writer at a time, so more
// connections only add concurrent readers, each with its own page cache.
const maxOpenConns = 8

// Store is the control plane's database. Its methods are safe for
// concurrent use.
type Store struct {
	db      *sql.DB
	dialect dialect
	logger  *slog.Logger
	stmts   stmtCache
}

// Open opens the database at dsn, applies migrations, and returns the
// Store. dsn is a PostgreSQL URL (postgres://user:pass@host/db?sslmode=…),
// or else the path of a SQLite file, created if needed, with a missing
// parent directory created with mode 0700. Errors name dsn with its
// password hidden. A nil logger discards log output.
func Open(ctx context.Context, dsn string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if dsn == "" {
		return nil, errors.New("open store: empty database path")
	}
	db, d, err := openDB(dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", redact(dsn), err)
	}
	s := &Store{db: db, dialect: d, logger: logger.With("component", "store")}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", redact(dsn), err)
	}
	return s, nil
}

// openDB opens a pool on dsn in its dialect.
func openDB(dsn string) (*sql.DB, dialect, error) {
	if IsPostgresURL(dsn) {
		db, err := openPostgres(dsn)
		return db, postgresDialect, err
	}
	if err := os.MkdirAll(filepath.Dir(dsn), 0o700); err != nil {
		return nil, 0, err
	}
	db, err := sql.Open("sqlite", sqliteDSN(dsn))
	if err != nil {
		return nil, 0, err
	}
	db.SetMaxOpenConns(maxOpenConns)
	return db, sqliteDialect, nil
}

// sqliteDSN escapes the characters that SQLite's URI parser would
// otherwise take as the start of a query, a fragment or an escape.
func sqliteDSN(path string) string {
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + escaped + "?" + dsnParams
}

func (s *Store) init(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return explainOpenError(err)
	}
	if err := s.migrate(ctx); err != nil {
		return explainOpenError(err)
	}
	return nil
}

// explainOpenError turns SQLite's terse "file is not a database" into
// something an operator can act on.
func explainOpenError(err error) error {
	var serr *sqlite.Error
	if errors.As(err, &serr) && serr.Code()&0xff == sqlite3.SQLITE_NOTADB {
		return fmt.Errorf("not a SQLite database (point the control plane at another file or move this one away): %w", err)
	}
	return err
}

// Close closes the database. Calls in flight may fail afterwards.
func (s *Store) Close() error {
	s.closeStmts()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// Ping checks that the database is reachable.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	return nil
}

// DBStats exposes database/sql pool stats (used for the
// pynomaly_db_connections gauge).
func (s *Store) DBStats() sql.DBStats {
	return s.db.Stats()
}
