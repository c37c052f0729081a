package api_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/api"
)

// request sends method path with headers and returns the response, body
// read and closed.
func (a *testAPI) request(t *testing.T, method, path string, body string, headers map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, a.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestRateLimit(t *testing.T) {
	a := newTestAPI(t, func(o *api.Options) { o.RateLimit = api.RateLimit{Requests: 3, Window: time.Minute} })
	spoof := map[string]string{"X-Forwarded-For": "203.0.113.7"}
	for i := range 3 {
		if resp, body := a.request(t, "GET", "/api/v1/agents", "", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d %s", i+1, resp.StatusCode, body)
		}
	}
	// The allowance is spent; a forged X-Forwarded-For from an untrusted
	// peer does not make a new client.
	resp, body := a.request(t, "GET", "/api/v1/agents", "", spoof)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, `"rate_limited"`) {
		t.Fatalf("4th request: %d %s, want 429 rate_limited", resp.StatusCode, body)
	}
	// 3 per minute: one token every 20 s.
	if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 20 {
		t.Errorf("Retry-After %q, want 1..20 seconds", resp.Header.Get("Retry-After"))
	}
	for _, probe := range []string{"/health", "/ready", "/metrics"} {
		if resp, _ := a.request(t, "GET", probe, "", nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s while the client is limited: %d, want 200 (probes are exempt)", probe, resp.StatusCode)
		}
	}
	want := `pynomaly_requests_total{endpoint="/api/v1/agents",method="GET",status="429"} 1`
	if _, metrics := a.request(t, "GET", "/metrics", "", nil); !strings.Contains(metrics, want) {
		t.Errorf("/metrics lacks %s", want)
	}
}

func TestRateLimitPerClientBehindTrustedProxy(t *testing.T) {
	a := newTestAPI(t, func(o *api.Options) {
		o.RateLimit = api.RateLimit{Requests: 1, Window: time.Minute}
		o.TrustedProxies = []string{"127.0.0.1"}
	})
	for _, client := range []string{"203.0.113.7", "203.0.113.8"} {
		h := map[string]string{"X-Forwarded-For": client}
		if resp, _ := a.request(t, "GET", "/api/v1/agents", "", h); resp.StatusCode != http.StatusOK {
			t.Errorf("client %s first request: %d, want 200", client, resp.StatusCode)
		}
		if resp, _ := a.request(t, "GET", "/api/v1/agents", "", h); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("client %s second request: %d, want 429", client, resp.StatusCode)
		}
	}
}

func TestCORS(t *testing.T) {
	a := newTestAPI(t, func(o *api.Options) { o.CORSOrigins = []string{"https://ops.example.com"} })
	pre := map[string]string{"Origin": "https://ops.example.com", "Access-Control-Request-Method": "PUT",
		"Access-Control-Request-Headers": "Authorization, Content-Type"}
	resp, _ := a.request(t, "OPTIONS", "/api/v1/agents/edge-1/desired", "", pre)
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "https://ops.example.com" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "PUT") {
		t.Errorf("preflight from an allowed origin: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = a.request(t, "GET", "/api/v1/agents", "", map[string]string{"Origin": "https://ops.example.com"})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "https://ops.example.com" {
		t.Errorf("GET from an allowed origin: %d, Access-Control-Allow-Origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	resp, _ = a.request(t, "GET", "/api/v1/agents", "", map[string]string{"Origin": "https://evil.example.net"})
	if resp.Header.Get("Access-Control-Allow-Origin") != "" || resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET from another origin: %d, Access-Control-Allow-Origin %q; want 403 and none", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	plain := newTestAPI(t, nil)
	resp, _ = plain.request(t, "GET", "/api/v1/agents", "", map[string]string{"Origin": "https://ops.example.com"})
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("no CORS configured, yet Access-Control-Allow-Origin %q", resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

func TestGuardOptionsRefused(t *testing.T) {
	for _, tc := range []struct {
		edit func(*api.Options)
		want string
	}{
		{func(o *api.Options) { o.CORSOrigins = []string{"ops.example.com"} }, `origin "ops.example.com": want scheme://host[:port]`},
		{func(o *api.Options) { o.CORSOrigins = []string{"https://ops.example.com/app"} }, "want scheme://host[:port]"},
		{func(o *api.Options) { o.CORSOrigins = []string{"*", "https://a.example"} }, `"*" allows every origin`},
		{func(o *api.Options) { o.RateLimit = api.RateLimit{Requests: 10} }, "window 0s must be positive"},
		{func(o *api.Options) { o.TrustedProxies = []string{"not-an-ip"} }, "trusted proxies"},
	} {
		opts := api.Options{Store: nil}
		tc.edit(&opts)
		if _, err := api.New(opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want an error containing %q", opts, err, tc.want)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	a := newDesiredAPI(t)
	big := `{"pipeline": "` + strings.Repeat("#", api.DefaultMaxBodyBytes) + `"}`
	if code, errCode := a.do(t, "PUT", "/api/v1/agents/edge-1/desired", []byte(big), nil); code != http.StatusRequestEntityTooLarge || errCode != "too_large" {
		t.Errorf("body over 1 MiB: %d %q, want 413 too_large", code, errCode)
	}
	// Model uploads have their own, larger bound.
	model := strings.Repeat("m", api.DefaultMaxBodyBytes+1)
	if code, _ := a.do(t, "PUT", "/api/v1/models/big/versions/1", []byte(model), nil); code != http.StatusCreated {
		t.Errorf("model over 1 MiB: %d, want 201", code)
	}
}
