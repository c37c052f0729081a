package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements for the queries that run on every
// API request (the agent list, API key lookups), so that SQLite parses
// and plans them once per connection instead of once per call, which was
// a tenth of a page's cost. database/sql prepares a statement again on
// each pooled connection it meets.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// prepared returns query prepared on db, from the cache.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	c := &s.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = st
	return st, nil
}

// closeStmts closes the cached statements, before the database.
func (s *Store) closeStmts() {
	c := &s.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		_ = st.Close()
	}
	c.stmts = nil
}

// stmtQuerier lets a prepared statement stand where queryAll takes a
// database; the query text is the statement's own.
type stmtQuerier struct{ st *sql.Stmt }

func (q stmtQuerier) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return q.st.QueryContext(ctx, args...)
}
