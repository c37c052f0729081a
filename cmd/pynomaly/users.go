package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/auth"
	"github.com/pynomaly/pynomaly/controlplane/server"
	"github.com/pynomaly/pynomaly/controlplane/store"
)

// stdin is where users create reads the password; a variable for tests.
var stdin io.Reader = os.Stdin

// usersCreate adds a user straight to the store: it is how the first admin
// is made, before anyone can call the API. It reads the password from
// stdin (one line), so it stays out of shell history and ps.
func usersCreate(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("users create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", envOr(env, "data", "PYNOMALY_DATA_DIR"), "the server's data directory, for its SQLite store (env PYNOMALY_DATA_DIR)")
	dbURL := fs.String("database-url", env("PYNOMALY_DATABASE_URL"), "the server's PostgreSQL URL, if it uses one (env PYNOMALY_DATABASE_URL)")
	username := fs.String("username", "", "user name (required)")
	role := fs.String("role", auth.Viewer, "viewer, operator or admin")
	admin := fs.Bool("admin", false, "shorthand for --role admin")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *admin {
		*role = auth.Admin
	}
	if *username == "" {
		return usageError{errors.New("--username is required")}
	}
	dsn := *dbURL
	if dsn != "" {
		if err := server.ValidateDatabaseURL(dsn); err != nil {
			return usageError{fmt.Errorf("--database-url or PYNOMALY_DATABASE_URL: %w", err)}
		}
	} else {
		dsn = filepath.Join(*dataDir, "pynomaly.db")
	}
	fmt.Fprintf(stderr, "password for %s (one line on stdin): ", *username)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	fmt.Fprintln(stderr)
	u, err := api.NewUser(*username, strings.TrimRight(line, "\r\n"), *role, time.Now())
	if err != nil {
		return usageError{err}
	}
	st, err := store.Open(ctx, dsn, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.CreateUser(ctx, u); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s created with role %s\n", u.Username, u.Role)
	return nil
}
