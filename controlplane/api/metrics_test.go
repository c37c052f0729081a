package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/store"
)

func TestRequestMetrics(t *testing.T) {
	a := newTestAPI(t, nil)
	for _, path := range []string{
		"/api/v1/alerts", "/api/v1/alerts?limit=5", "/api/v1/alerts?limit=0",
		"/api/v1/agents", "/health", "/no/such/path/42", "/no/such/path/43",
	} {
		a.get(t, path, nil)
	}
	// Made-up methods must not each become a series.
	for _, m := range []string{"BREW", "WHEN"} {
		req, _ := http.NewRequest(m, a.url+"/health", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	resp, err := http.Get(a.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	problems, err := promlint.New(resp.Body).Lint()
	if err != nil {
		t.Fatalf("lint /metrics: %v", err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	want := `
# HELP pynomaly_requests_total HTTP requests served, by method, route template and status code.
# TYPE pynomaly_requests_total counter
pynomaly_requests_total{endpoint="/api/v1/agents",method="GET",status="200"} 1
pynomaly_requests_total{endpoint="/api/v1/alerts",method="GET",status="200"} 2
pynomaly_requests_total{endpoint="/api/v1/alerts",method="GET",status="400"} 1
pynomaly_requests_total{endpoint="/health",method="GET",status="200"} 1
pynomaly_requests_total{endpoint="/metrics",method="GET",status="200"} 1
pynomaly_requests_total{endpoint="unmatched",method="GET",status="404"} 2
pynomaly_requests_total{endpoint="unmatched",method="other",status="404"} 2
`
	if err := testutil.GatherAndCompare(a.reg, strings.NewReader(want), "pynomaly_requests_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(a.reg, "pynomaly_request_duration_seconds"); n != 1 {
		t.Errorf("pynomaly_request_duration_seconds has %d series, want 1", n)
	}
}

// panickingStore stands for a bug in a handler's dependency.
type panickingStore struct{ *store.Store }

func (panickingStore) ListAlerts(context.Context, store.AlertQuery) (store.AlertPage, error) {
	panic("boom")
}

func TestPanicIsCountedAndJSON(t *testing.T) {
	a := newTestAPI(t, nil)
	b := newTestAPI(t, func(o *api.Options) { o.Store = panickingStore{a.store} })
	var body api.ErrorBody
	if code := b.get(t, "/api/v1/alerts", &body); code != http.StatusInternalServerError || body.Error.Code != "internal" {
		t.Errorf("status %d, body %+v; want 500 with error code internal", code, body)
	}
	want := `
# HELP pynomaly_requests_total HTTP requests served, by method, route template and status code.
# TYPE pynomaly_requests_total counter
pynomaly_requests_total{endpoint="/api/v1/alerts",method="GET",status="500"} 1
`
	if err := testutil.GatherAndCompare(b.reg, strings.NewReader(want), "pynomaly_requests_total"); err != nil {
		t.Error(err)
	}
	// The server keeps serving after the panic.
	if code := b.get(t, "/health", nil); code != http.StatusOK {
		t.Errorf("/health after a panic = %d", code)
	}
}
