package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/controlplane/api"
)

type readyBody struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func TestReady(t *testing.T) {
	up := func() bool { return true }
	down := func() bool { return false }
	tests := []struct {
		name       string
		checks     []api.Check
		closeStore bool
		wantCode   int
		wantFailed []string
	}{
		{"all ready", []api.Check{{"nats", up}, {"consumer", up}}, false, http.StatusOK, nil},
		{"no checks", nil, false, http.StatusOK, nil},
		{"consumer down", []api.Check{{"nats", up}, {"consumer", down}}, false, http.StatusServiceUnavailable, []string{"consumer"}},
		{"store closed", []api.Check{{"nats", up}}, true, http.StatusServiceUnavailable, []string{"store"}},
		{"everything down", []api.Check{{"nats", down}}, true, http.StatusServiceUnavailable, []string{"nats", "store"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestAPI(t, func(o *api.Options) { o.Checks = tc.checks })
			if tc.closeStore {
				_ = a.store.Close()
			}
			var body readyBody
			if code := a.get(t, "/ready", &body); code != tc.wantCode {
				t.Fatalf("/ready = %d %+v, want %d", code, body, tc.wantCode)
			}
			var failed []string
			for name, state := range body.Checks {
				if state != "ok" {
					failed = append(failed, name)
				}
			}
			if strings.Join(slices.Sorted(slices.Values(failed)), ",") != strings.Join(tc.wantFailed, ",") {
				t.Errorf("failing checks %v (%+v), want %v", failed, body.Checks, tc.wantFailed)
			}
			if wantWord := map[bool]string{true: "ready", false: "not_ready"}[tc.wantFailed == nil]; body.Status != wantWord {
				t.Errorf("status %q, want %q", body.Status, wantWord)
			}
			// Liveness must not depend on the dependencies.
			if code := a.get(t, "/health", nil); code != http.StatusOK {
				t.Errorf("/health = %d, want 200", code)
			}
		})
	}
}

func TestErrorsAreJSON(t *testing.T) {
	a := newTestAPI(t, nil)
	closed := newTestAPI(t, nil)
	_ = closed.store.Close()
	tests := []struct {
		name     string
		api      *testAPI
		path     string
		wantCode int
		wantErr  string
	}{
		{"unknown route", a, "/api/v1/nope", http.StatusNotFound, "not_found"},
		{"unknown root path", a, "/favicon.ico", http.StatusNotFound, "not_found"},
		{"alerts with the store down", closed, "/api/v1/alerts", http.StatusInternalServerError, "internal"},
		{"agents with the store down", closed, "/api/v1/agents", http.StatusInternalServerError, "internal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body api.ErrorBody
			if code := tc.api.get(t, tc.path, &body); code != tc.wantCode || body.Error.Code != tc.wantErr || body.Error.Message == "" {
				t.Errorf("GET %s = %d %+v, want %d with code %q and a message", tc.path, code, body, tc.wantCode, tc.wantErr)
			}
		})
	}
}
