package server_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/controlplane/server"
)

func TestProductionRefusesMissingSecrets(t *testing.T) {
	long := strings.Repeat("k", 40)
	for _, tc := range []struct {
		name string
		edit func(*server.Options)
		want []string
	}{
		{"nothing set", func(o *server.Options) {},
			[]string{"PYNOMALY_DATABASE_URL is not set", "SECRET_KEY is not set", "JWT_SECRET_KEY is not set", "PYNOMALY_NATS_TOKEN is not set"}},
		{"placeholders and short", func(o *server.Options) {
			o.DatabaseURL, o.SecretKey, o.JWTSecret, o.NATSToken = "postgres://u:p@db/x", "change-me", "short", long
		}, []string{"SECRET_KEY is a placeholder value", "JWT_SECRET_KEY is shorter than 32 characters"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := server.Options{Host: "127.0.0.1", NATSHost: "127.0.0.1", DataDir: t.TempDir(), Production: true}
			tc.edit(&opts)
			srv, err := server.Start(t.Context(), opts)
			if err == nil {
				_ = srv.Wait()
				t.Fatal("production started without its secrets")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "change-me") {
				t.Errorf("error repeats a secret: %q", err)
			}
		})
	}
}

// TestDevelopmentAdminKey: a development server without users makes an
// admin API key once, into its data directory, and it stays valid across
// restarts; the API refuses calls without it.
func TestDevelopmentAdminKey(t *testing.T) {
	dir := t.TempDir()
	srv, cancel := startServer(t, dir, nil)
	path := filepath.Join(dir, server.AdminKeyFile)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin key file: %v, mode %v; want 0600", err, fi)
	}
	key, _ := os.ReadFile(path)
	check := func(base string) {
		t.Helper()
		if resp, err := http.Get(base + "/api/v1/agents"); err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("without credentials: %v %v, want 401", resp, err)
		}
		if resp, err := authGet(base + "/api/v1/agents"); err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("with the admin key: %v %v, want 200", resp, err)
		}
	}
	check(srv.HTTPURL())
	cancel()
	_ = srv.Wait()
	again, _ := startServer(t, dir, nil)
	if now, _ := os.ReadFile(path); string(now) != string(key) {
		t.Errorf("admin key changed across restart")
	}
	adminKeys.Store(again.HTTPURL(), strings.TrimSpace(string(key)))
	check(again.HTTPURL())
}

// TestFirstAdminFromEnvironment: with PYNOMALY_ADMIN_USERNAME and
// PASSWORD the first admin is a user who can log in, and no key file is
// written.
func TestFirstAdminFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	srv, _ := startServer(t, dir, func(o *server.Options) { o.AdminUsername, o.AdminPassword = "root", "a long enough password" })
	if _, err := os.Stat(filepath.Join(dir, server.AdminKeyFile)); err == nil {
		t.Error("admin key file written although an admin user was made")
	}
	resp, err := http.Post(srv.HTTPURL()+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"username": "root", "password": "a long enough password"}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("login as the first admin: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, err := server.Start(t.Context(), server.Options{Host: "127.0.0.1", NATSHost: "127.0.0.1", DataDir: t.TempDir(),
		AdminUsername: "root", AdminPassword: "short"}); err == nil || !strings.Contains(err.Error(), "at least 12 characters") {
		t.Errorf("a first admin with a short password: %v, want a refusal naming the rule", err)
	}
}
