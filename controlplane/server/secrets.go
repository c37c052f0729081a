package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/pynomaly/pynomaly/controlplane/store"
)

// natsToken returns the configured token, or the one persisted in the data
// directory, generating it on first start. Persisting it keeps agents that
// were given the token working across control-plane restarts. An external
// NATS already has its token, so none is generated for it.
func (s *Server) natsToken() (string, error) {
	if s.opts.NATSToken != "" {
		return s.opts.NATSToken, nil
	}
	path := filepath.Join(s.opts.DataDir, "nats-token")
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read nats token: %w", err)
	}
	if s.opts.NATSURL != "" {
		return "", fmt.Errorf("external NATS %s: no token: set PYNOMALY_NATS_TOKEN to the token the NATS server and the agents use", s.opts.NATSURL)
	}
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("generate nats token: %w", err)
	}
	token := hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write nats token: %w", err)
	}
	s.logger.Warn("no NATS token configured: generated one; give it to agents (control_plane.token_file)", "path", path)
	return token, nil
}

// ValidateDatabaseURL checks a PYNOMALY_DATABASE_URL before anything is
// started: a PostgreSQL URL with a host and a database name. Messages never
// repeat the password.
func ValidateDatabaseURL(raw string) error {
	if !store.IsPostgresURL(raw) {
		return errors.New("want a PostgreSQL URL, postgres://user:password@host:5432/database (leave it unset for SQLite in the data directory)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a valid URL (check that special characters in the password are %-escaped)")
	}
	if u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return fmt.Errorf("%s: want postgres://user:password@host:5432/database, with a host and a database", u.Redacted())
	}
	return nil
}
