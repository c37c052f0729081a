// Package store is the control plane's store of agent alerts and agents'
// latest heartbeats: a SQLite file (pure Go, no cgo) by default, or
// PostgreSQL through pgx when opened with a postgres:// URL. One set of
// SQL and of migrations serves both (see postgres.go for the few
// differences), and the whole test suite runs on both (make test,
// make test-postgres).
//
// A Store is safe for concurrent use by many goroutines and owns its
// database connections: open one per process with Open and Close it on
// shutdown. Values it returns (AlertPage, AgentRecord) are copies owned by
// the caller and stay valid after Close.
//
// Alerts are kept in insertion order and paged with opaque cursors. A cursor
// is a position, not a query: it stays valid across restarts and is only
// meaningful with the filters it was issued for. Polling in ascending order
// with the last NextCursor sees every alert stored since exactly once,
// because insertion order and commit order are the same: SQLite admits one
// writer at a time, and on PostgreSQL alert inserts take a transaction
// advisory lock, so replicas inserting together do so in turn.
//
// The on-disk schema is described in migrate.go.
package store
