package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/desired"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

func newDesiredAPI(t *testing.T) *testAPI {
	t.Helper()
	js := testkit.StartNATSServer(t, "t", nil).JetStream()
	return newTestAPI(t, func(o *api.Options) { o.Desired = desired.New(js) })
}

// do sends a request and returns the status and the error code of an
// error body ("" for success), decoding a success into out if not nil.
func (a *testAPI) do(t *testing.T, method, path string, body []byte, out any) (int, string) {
	t.Helper()
	resp, b := a.request(t, method, path, string(body), nil)
	if resp.StatusCode >= 400 {
		var e api.ErrorBody
		if err := json.Unmarshal([]byte(b), &e); err != nil || e.Error.Message == "" {
			t.Errorf("%s %s: %d with body %q, want a JSON error", method, path, resp.StatusCode, b)
		}
		return resp.StatusCode, e.Error.Code
	}
	if out != nil {
		if err := json.Unmarshal([]byte(b), out); err != nil {
			t.Fatalf("%s %s: %q: %v", method, path, b, err)
		}
	}
	return resp.StatusCode, ""
}

func TestDesiredAPI(t *testing.T) {
	a := newDesiredAPI(t)
	var info desired.ModelInfo
	if code, _ := a.do(t, "PUT", "/api/v1/models/pump/versions/1?detector=zscore", []byte("state"), &info); code != http.StatusCreated {
		t.Fatalf("upload model: %d", code)
	}
	if code, _ := a.do(t, "GET", "/api/v1/models/pump/versions/1", nil, &info); code != http.StatusOK || info.Detector != "zscore" {
		t.Errorf("get model: %d %+v", code, info)
	}
	var put desired.Entry
	body := `{"pipeline": "decision: {threshold: 0.9}\n", "models": [{"input": "line", "name": "pump", "version": "1"}]}`
	if code, _ := a.do(t, "PUT", "/api/v1/agents/edge-1/desired", []byte(body), &put); code != http.StatusOK || put.State.Models[0].SHA256 != info.SHA256 {
		t.Fatalf("put desired: %d %+v", code, put)
	}
	var view api.DesiredView
	if code, _ := a.do(t, "GET", "/api/v1/agents/edge-1/desired", nil, &view); code != http.StatusOK || view.Hash != put.Hash || view.InSync || view.Applied != nil {
		t.Errorf("get desired before the agent reported: %d %+v", code, view)
	}
	// The agent reports it applied it.
	hb := protocol.Heartbeat{Version: 1, AgentID: "edge-1", SentAt: t0, IntervalSeconds: 10,
		Config: &protocol.AppliedConfig{Hash: put.Hash, Status: protocol.ConfigApplied, RunningHash: put.Hash}}
	if _, err := a.store.UpsertHeartbeat(context.Background(), hb, t0); err != nil {
		t.Fatal(err)
	}
	if a.do(t, "GET", "/api/v1/agents/edge-1/desired", nil, &view); !view.InSync || view.Applied.RunningHash != put.Hash {
		t.Errorf("get desired after the agent applied it: %+v", view)
	}
	if code, _ := a.do(t, "DELETE", "/api/v1/agents/edge-1/desired", nil, nil); code != http.StatusNoContent {
		t.Errorf("delete: %d", code)
	}
}

func TestDesiredAPIBadInput(t *testing.T) {
	a := newDesiredAPI(t)
	if code, _ := a.do(t, "PUT", "/api/v1/models/pump/versions/1", []byte("a"), nil); code != http.StatusCreated {
		t.Fatalf("upload: %d", code)
	}
	for _, tc := range []struct {
		method, path, body string
		code               int
		errCode            string
	}{
		{"GET", "/api/v1/agents/edge-1/desired", "", http.StatusNotFound, "not_found"},
		{"GET", "/api/v1/agents/edge.1/desired", "", http.StatusBadRequest, "invalid"},
		{"PUT", "/api/v1/agents/edge-1/desired", `{"pipeline": `, http.StatusBadRequest, "invalid_json"},
		{"PUT", "/api/v1/agents/edge-1/desired", `{"pipelin": "x"}`, http.StatusBadRequest, "invalid_json"},
		{"PUT", "/api/v1/agents/edge-1/desired", `{"models": [{"input": "a", "name": "nosuch", "version": "1"}]}`, http.StatusBadRequest, "unknown_model"},
		{"PUT", "/api/v1/agents/edge-1/desired", `{"models": [{"input": "a", "name": "pump", "version": "1"}, {"input": "a", "name": "pump", "version": "1"}]}`,
			http.StatusBadRequest, "invalid"},
		{"PUT", "/api/v1/agents/edge-1/desired", `{"pipeline": "` + strings.Repeat("#", protocol.MaxPipelineBytes+1) + `"}`, http.StatusBadRequest, "invalid"},
		{"PUT", "/api/v1/models/pump/versions/1", "b", http.StatusConflict, "exists"},
		{"PUT", "/api/v1/models/pump/versions/2", "", http.StatusBadRequest, "invalid"},
		{"PUT", "/api/v1/models/.pump/versions/2", "a", http.StatusBadRequest, "invalid"},
		{"GET", "/api/v1/models/pump/versions/9", "", http.StatusNotFound, "not_found"},
	} {
		code, errCode := a.do(t, tc.method, tc.path, []byte(tc.body), nil)
		if code != tc.code || errCode != tc.errCode {
			t.Errorf("%s %s %.40q: %d %q, want %d %q", tc.method, tc.path, tc.body, code, errCode, tc.code, tc.errCode)
		}
	}
}
