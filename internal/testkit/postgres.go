package testkit

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// PostgresEnv names the PostgreSQL database tests run against: `make
// test-postgres` sets it (scripts/test-postgres.sh creates one). Unset,
// tests use SQLite.
const PostgresEnv = "PYNOMALY_TEST_DATABASE_URL"

// PostgresDSN returns a URL to a new, empty schema in the database
// PostgresEnv names, dropped when the test ends, so tests run side by side
// without seeing each other's tables; "" when PostgresEnv is unset.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		return ""
	}
	schema := fmt.Sprintf("t_%d_%d", time.Now().UnixNano(), rand.Uint32())
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
		admin.Close()
	})
	if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("%s: create schema: %v", PostgresEnv, err)
	}
	t.Logf("on PostgreSQL, schema %s", schema)
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}
