package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

var t0 = time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)

type testAPI struct {
	url   string
	store *store.Store
	reg   *prometheus.Registry
	h     http.Handler
}

// newTestAPI serves api.New over a real SQLite store on a random port;
// edit may change the options (checks, clock, store) before New.
func newTestAPI(t *testing.T, edit func(*api.Options)) *testAPI {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "cp.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	reg := prometheus.NewRegistry()
	opts := api.Options{Store: st, Gatherer: reg, Registerer: reg}
	if edit != nil {
		edit(&opts)
	}
	h, err := api.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testAPI{url: srv.URL, store: st, reg: reg, h: h}
}

// get fetches path and decodes a JSON body into out (if not nil),
// returning the status code.
func (a *testAPI) get(t *testing.T, path string, out any) int {
	t.Helper()
	resp, err := http.Get(a.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil {
		if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q, want JSON", path, ct)
		}
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("GET %s: %d %q: %v", path, resp.StatusCode, body, err)
		}
	}
	return resp.StatusCode
}

// seedAlerts stores alerts for two agents and two series, one minute apart,
// and returns them in insertion order.
func seedAlerts(t *testing.T, st *store.Store) []protocol.Alert {
	t.Helper()
	var alerts []protocol.Alert
	for i := range 8 {
		agent := []string{"agent-1", "agent-2"}[i%2]
		metric := []string{"temp", "temp", "hum", "hum"}[i%4]
		series := protocol.SeriesName(metric, map[string]string{"site": "a"})
		ts := t0.Add(time.Duration(i) * time.Minute)
		alerts = append(alerts, protocol.Alert{
			Version: 1, ID: protocol.AlertID(agent, series, "zscore", ts), AgentID: agent,
			Series: series, Metric: metric, Timestamp: ts, Score: 0.95, Severity: "warning",
			Detector: "zscore", Values: map[string]float64{"value": float64(i)},
		})
	}
	if _, err := st.InsertAlerts(t.Context(), alerts, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return alerts
}
