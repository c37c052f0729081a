package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/auth"
	"github.com/pynomaly/pynomaly/controlplane/store"
)

// minSecretLen is the shortest JWT_SECRET_KEY or SECRET_KEY production
// accepts: 32 characters, 256 bits if random.
const minSecretLen = 32

// defaultSecrets are values copied from examples; production refuses them.
var defaultSecrets = []string{"change-me", "changeme", "secret", "your-secret-key", "your-jwt-secret", "dev-secret", "password"}

// AdminKeyFile is where a development control plane without users keeps
// the admin API key it generated, for the CLI and the demo.
const AdminKeyFile = "admin-api-key"

// checkProduction refuses to start production without its secrets, naming
// every missing or default one at once.
func (s *Server) checkProduction() error {
	if !s.opts.Production {
		return nil
	}
	var missing []string
	for _, v := range []struct{ name, value string }{
		{"PYNOMALY_DATABASE_URL", s.opts.DatabaseURL},
		{"SECRET_KEY", s.opts.SecretKey},
		{"JWT_SECRET_KEY", s.opts.JWTSecret},
		{"PYNOMALY_NATS_TOKEN", s.opts.NATSToken},
	} {
		switch {
		case v.value == "":
			missing = append(missing, v.name+" is not set")
		case v.name == "PYNOMALY_DATABASE_URL":
		case isDefaultSecret(v.value):
			missing = append(missing, v.name+" is a placeholder value; generate one: openssl rand -hex 32")
		case len(v.value) < minSecretLen:
			missing = append(missing, fmt.Sprintf("%s is shorter than %d characters", v.name, minSecretLen))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("production mode (PYNOMALY_ENV=production) refuses to start: %s", strings.Join(missing, "; "))
	}
	return nil
}

func isDefaultSecret(v string) bool {
	for _, d := range defaultSecrets {
		if strings.EqualFold(v, d) {
			return true
		}
	}
	return false
}

// authKeys returns the API's keys: the configured secrets or, in
// development, ones generated once into the data directory (kept, so that
// tokens and keys stay valid across restarts).
func (s *Server) authKeys() (auth.Keys, error) {
	jwtKey, err := s.secret(s.opts.JWTSecret, "jwt-secret", "JWT_SECRET_KEY")
	if err != nil {
		return auth.Keys{}, err
	}
	secret, err := s.secret(s.opts.SecretKey, "secret-key", "SECRET_KEY")
	if err != nil {
		return auth.Keys{}, err
	}
	return auth.Keys{JWT: []byte(jwtKey), Secret: []byte(secret)}, nil
}

func (s *Server) secret(configured, file, env string) (string, error) {
	if configured != "" {
		return configured, nil
	}
	path := filepath.Join(s.opts.DataDir, file)
	b, err := os.ReadFile(path)
	if err == nil && strings.TrimSpace(string(b)) != "" {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	v := randomHex(32)
	if err := os.WriteFile(path, []byte(v+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	s.logger.Warn("development mode: "+env+" not set; generated one into the data directory (production requires it)", "path", path)
	return v, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// bootstrapAdmin makes sure someone can administer a control plane that
// has no users yet: the admin named by PYNOMALY_ADMIN_USERNAME and
// PYNOMALY_ADMIN_PASSWORD, or, in development, an admin API key written to
// DATA_DIR/admin-api-key (mode 0600) for the CLI and the demo. Production
// without either starts, and says how to create the first admin.
func (s *Server) bootstrapAdmin(ctx context.Context, keys auth.Keys) error {
	n, err := s.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	if s.opts.AdminUsername != "" {
		u, err := api.NewUser(s.opts.AdminUsername, s.opts.AdminPassword, auth.Admin, time.Now())
		if err != nil {
			return fmt.Errorf("first admin from PYNOMALY_ADMIN_USERNAME and PYNOMALY_ADMIN_PASSWORD: %w", err)
		}
		if err := s.store.CreateUser(ctx, u); err != nil {
			return err
		}
		s.logger.Info("created the first admin", "username", u.Username)
		return nil
	}
	if s.opts.Production {
		s.logger.Warn("no users yet: create the first admin with `pynomaly users create --admin`, or set PYNOMALY_ADMIN_USERNAME and PYNOMALY_ADMIN_PASSWORD")
		return nil
	}
	path := filepath.Join(s.opts.DataDir, AdminKeyFile)
	if _, err := os.Stat(path); err == nil {
		return nil // generated at an earlier start; its key is in the store
	}
	key, hash := keys.NewAPIKey()
	k := store.APIKey{ID: auth.NewID(), Name: "bootstrap-admin", KeyHash: hash, Role: auth.Admin, CreatedBy: "server", CreatedAt: time.Now().UTC()}
	if err := s.store.CreateAPIKey(ctx, k); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	s.logger.Warn("development mode, no users: generated an admin API key; use it with PYNOMALY_API_KEY=$(cat "+path+"), and create users",
		"path", path)
	return nil
}
