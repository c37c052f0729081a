package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/server"
)

// startServer starts a control plane in dir with edit applied to the
// options, waits until /ready answers 200 and returns it with its cancel.
func startServer(t *testing.T, dir string, edit func(*server.Options)) (*server.Server, context.CancelFunc) {
	t.Helper()
	opts := server.Options{Host: "127.0.0.1", NATSHost: "127.0.0.1", DataDir: dir}
	if edit != nil {
		edit(&opts)
	}
	ctx, cancel := context.WithCancel(t.Context())
	srv, err := server.Start(ctx, opts)
	if err != nil {
		cancel()
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { cancel(); _ = srv.Wait() })
	waitReady(t, srv.HTTPURL())
	if key, err := os.ReadFile(filepath.Join(dir, server.AdminKeyFile)); err == nil {
		adminKeys.Store(srv.HTTPURL(), strings.TrimSpace(string(key)))
	}
	return srv, cancel
}

// adminKeys holds each test server's admin API key by its base URL.
var adminKeys sync.Map

// authGet is http.Get with the admin key of the server url belongs to.
func authGet(url string) (*http.Response, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return nil, err
	}
	adminKeys.Range(func(base, key any) bool {
		if strings.HasPrefix(url, base.(string)) {
			req.Header.Set("Authorization", "Bearer "+key.(string))
			return false
		}
		return true
	})
	return http.DefaultClient.Do(req)
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/ready not 200 after 10s (last: %v, %v)", base, resp, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func port(t *testing.T, rawURL string) int {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(u.Port())
	if err != nil || p == 0 {
		t.Fatalf("no port in %q", rawURL)
	}
	return p
}

func readToken(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "nats-token")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("token file: %v", err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("token file mode %o, want 600", mode)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < 32 {
		t.Fatalf("token %q is too short to be secret", tok)
	}
	return tok
}

func TestStartStopRestart(t *testing.T) {
	dir := t.TempDir()
	srv, cancel := startServer(t, dir, nil)
	token := readToken(t, dir)
	nc, err := nats.Connect(srv.NATSURL(), nats.Token(token), nats.NoReconnect())
	if err != nil {
		t.Fatalf("agent connect with the generated token: %v", err)
	}
	nc.Close()
	if nc, err := nats.Connect(srv.NATSURL(), nats.Token("wrong"), nats.NoReconnect()); err == nil {
		nc.Close()
		t.Error("NATS accepted a wrong token")
	}
	httpPort, natsPort := port(t, srv.HTTPURL()), port(t, srv.NATSURL())

	cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Wait() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("Wait after cancel = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return within 5s of cancel")
	}

	// Same ports, same data directory: the ports were released and the
	// token is the one agents already have.
	again, _ := startServer(t, dir, func(o *server.Options) { o.Port, o.NATSPort = httpPort, natsPort })
	if got := readToken(t, dir); got != token {
		t.Errorf("token changed across restart: %q then %q", token, got)
	}
	if again.HTTPURL() != srv.HTTPURL() || again.NATSURL() != srv.NATSURL() {
		t.Errorf("restart on %s/%s, want %s/%s", again.HTTPURL(), again.NATSURL(), srv.HTTPURL(), srv.NATSURL())
	}
}

func TestConfiguredTokenIsNotWritten(t *testing.T) {
	dir := t.TempDir()
	srv, _ := startServer(t, dir, func(o *server.Options) { o.NATSToken = "configured-token" })
	if _, err := os.Stat(filepath.Join(dir, "nats-token")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("nats-token written although a token was configured: %v", err)
	}
	nc, err := nats.Connect(srv.NATSURL(), nats.Token("configured-token"), nats.NoReconnect())
	if err != nil {
		t.Fatalf("connect with the configured token: %v", err)
	}
	nc.Close()
}

func TestStartPortInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()
	busyPort := busy.Addr().(*net.TCPAddr).Port
	tests := []struct {
		name string
		edit func(*server.Options)
	}{
		{"http port", func(o *server.Options) { o.Port = busyPort }},
		{"nats port", func(o *server.Options) { o.NATSPort = busyPort }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := server.Options{Host: "127.0.0.1", NATSHost: "127.0.0.1", DataDir: t.TempDir()}
			tc.edit(&opts)
			start := time.Now()
			srv, err := server.Start(t.Context(), opts)
			if err == nil {
				_ = srv.Wait()
				t.Fatalf("Start on busy %s succeeded", addr)
			}
			if !strings.Contains(err.Error(), addr) {
				t.Errorf("error %q does not name %s", err, addr)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Start took %s to fail", d)
			}
		})
	}
}

func TestMetricsEndpoint(t *testing.T) {
	srv, _ := startServer(t, t.TempDir(), nil)
	b := scrape(t, srv)
	for _, name := range []string{"pynomaly_db_connections", "pynomaly_alerts_ingested_total", "pynomaly_anomaly_rate", "pynomaly_nats_auth_total", "go_goroutines", "process_cpu_seconds_total"} {
		if !strings.Contains(string(b), "\n# TYPE "+name+" ") {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	problems, err := promlint.New(bytes.NewReader(b)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	var body map[string]any
	if r, err := http.Get(srv.HTTPURL() + "/health"); err != nil || json.NewDecoder(r.Body).Decode(&body) != nil || body["status"] != "ok" {
		t.Errorf("/health: %v %v", body, err)
	}
}

// TestAPIGuardsWired: the rate limit and CORS options reach the API.
func TestAPIGuardsWired(t *testing.T) {
	srv, _ := startServer(t, t.TempDir(), func(o *server.Options) {
		o.RateLimit = api.RateLimit{Requests: 1, Window: time.Minute}
		o.CORSOrigins = []string{"https://ops.example.com"}
	})
	var codes []int
	for range 2 {
		req, _ := http.NewRequest("GET", srv.HTTPURL()+"/api/v1/agents", nil)
		req.Header.Set("Origin", "https://ops.example.com")
		if k, ok := adminKeys.Load(srv.HTTPURL()); ok {
			req.Header.Set("Authorization", "Bearer "+k.(string))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
		if resp.Header.Get("Access-Control-Allow-Origin") != "https://ops.example.com" {
			t.Errorf("no CORS header on the answer %d", resp.StatusCode)
		}
	}
	if codes[0] != http.StatusOK || codes[1] != http.StatusTooManyRequests {
		t.Errorf("two requests with a limit of one: %v, want [200 429]", codes)
	}
}
