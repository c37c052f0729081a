package store_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pynomaly/pynomaly/controlplane/store"
)

// TestOpenSQLiteFile: what only a SQLite file can get wrong.
func TestOpenSQLiteFile(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string) string // returns the path to open
		wantErr string                                // substring; "" = success
	}{
		{
			name:  "creates missing directories",
			setup: func(t *testing.T, dir string) string { return filepath.Join(dir, "a", "b", "cp.db") },
		},
		{
			name: "path with URI metacharacters",
			setup: func(t *testing.T, dir string) string {
				return filepath.Join(dir, "odd?dir#1%20", "cp.db")
			},
		},
		{
			name: "not a database",
			setup: func(t *testing.T, dir string) string {
				path := filepath.Join(dir, "notes.txt")
				junk := strings.Repeat("these are not the pages you are looking for\n", 200)
				if err := os.WriteFile(path, []byte(junk), 0o600); err != nil {
					t.Fatal(err)
				}
				return path
			},
			wantErr: "not a SQLite database",
		},
		{
			name: "parent is a file",
			setup: func(t *testing.T, dir string) string {
				if err := os.WriteFile(filepath.Join(dir, "f"), nil, 0o600); err != nil {
					t.Fatal(err)
				}
				return filepath.Join(dir, "f", "cp.db")
			},
			wantErr: "not a directory",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.setup(t, t.TempDir())
			s, err := store.Open(t.Context(), path, nil)
			if tc.wantErr != "" {
				if err == nil {
					s.Close()
					t.Fatalf("Open(%s) succeeded, want error containing %q", path, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("Open error = %q, want it to contain %q and the path", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			checkUsable(t, s, path)
		})
	}
}

func TestOpenNewerSchema(t *testing.T) {
	dsn := newDSN(t)
	s, err := store.Open(t.Context(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	execRaw(t, dsn, "INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)")
	s, err = store.Open(t.Context(), dsn, nil)
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded on a schema from a newer build")
	}
	if !strings.Contains(err.Error(), "schema version 9999 is newer than this build knows") {
		t.Errorf("Open error = %v", err)
	}
}

// TestOpenPostgresErrors: a database that cannot be reached or refuses the
// password is named in the error, without the password.
func TestOpenPostgresErrors(t *testing.T) {
	for _, dsn := range []string{
		"postgres://pynomaly:s3cret@127.0.0.1:1/pynomaly?sslmode=disable&connect_timeout=2",
	} {
		s, err := store.Open(t.Context(), dsn, nil)
		if err == nil {
			s.Close()
			t.Fatalf("Open(%s) succeeded", dsn)
		}
		if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "127.0.0.1:1") {
			t.Errorf("Open error %q: want the host named and the password hidden", err)
		}
	}
}

// checkUsable pings the store and checks that the file and a private
// parent directory exist.
func checkUsable(t *testing.T, s *store.Store, path string) {
	t.Helper()
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file: %v", err)
	}
	fi, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("directory mode = %o, want 700", perm)
	}
	if s.DBStats().OpenConnections < 1 {
		t.Errorf("DBStats().OpenConnections = %d after Ping, want >= 1", s.DBStats().OpenConnections)
	}
}

func TestReopenKeepsDataAndSkipsMigrations(t *testing.T) {
	path := newDSN(t)
	s, err := store.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := seqAlerts("edge-1", 3, t0)
	insert(t, s, want...)
	s.Close()
	before := migrationRows(t, path)

	for range 2 {
		s, err = store.Open(t.Context(), path, nil)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		page, err := s.ListAlerts(t.Context(), store.AlertQuery{Order: "asc"})
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := storedIDs(page.Alerts); !slices.Equal(got, alertIDs(want)) {
			t.Fatalf("after reopen got %v, want %v", got, alertIDs(want))
		}
	}
	if after := migrationRows(t, path); after != before || before == "" {
		t.Fatalf("schema_migrations changed on reopen:\nbefore %q\nafter  %q", before, after)
	}
}

// execRaw runs stmt on the database directly, bypassing the store.
func execRaw(t *testing.T, dsn, stmt string) {
	t.Helper()
	db, err := store.RawDB(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), stmt); err != nil {
		t.Fatal(err)
	}
}

// migrationRows reads schema_migrations directly, bypassing the store.
func migrationRows(t *testing.T, dsn string) string {
	t.Helper()
	db, err := store.RawDB(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), "SELECT version, applied_at FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var v, at int64
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d@%d;", v, at)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestOpenConcurrently opens one new database from several goroutines at
// once, as control-plane replicas starting together would: each migration
// must be applied once, and no Open may fail on a lock.
func TestOpenConcurrently(t *testing.T) {
	path := newDSN(t)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			s, err := store.Open(t.Context(), path, nil)
			if err != nil {
				t.Errorf("Open %d: %v", i, err)
				return
			}
			defer s.Close()
			if _, err := s.InsertAlerts(t.Context(), seqAlerts("edge-1", 10, t0), t0); err != nil {
				t.Errorf("InsertAlerts %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(migrationRows(t, path), ";"); got != len(files) {
		t.Fatalf("schema_migrations has %d rows, want %d, one per migration", got, len(files))
	}
}
