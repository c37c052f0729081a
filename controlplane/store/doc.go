// Package store is the control plane's SQLite store of agent alerts and
// agents' latest heartbeats.
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
// because SQLite admits one writer at a time, so insertion order and commit
// order are the same (a PostgreSQL backend will need more care here).
//
// The on-disk schema is described in migrate.go.
package store
