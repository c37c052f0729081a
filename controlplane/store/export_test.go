package store

import "database/sql"

// RawDB opens dsn directly, bypassing the Store, for tests to look at or
// tamper with what it wrote.
func RawDB(dsn string) (*sql.DB, error) {
	db, _, err := openDB(dsn)
	return db, err
}

// ParseLabels exposes the labels column's fast reader to tests.
var ParseLabels = parseLabels
