package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/controlplane/server"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

// apiKey is the admin key of the control plane startControlPlane started
// last; runCLI and waitFor send it. (The package's tests do not run in
// parallel.)
var apiKey string

// startControlPlane runs a control plane in-process on random ports with
// the given alerts and one heartbeat from "edge-1" already ingested.
func startControlPlane(t *testing.T, alerts []protocol.Alert) *server.Server {
	t.Helper()
	dir := t.TempDir()
	srv, err := server.Start(t.Context(), server.Options{
		Host: "127.0.0.1", NATSHost: "127.0.0.1", DataDir: dir, NATSToken: "test-token",
	})
	if err != nil {
		t.Fatal(err)
	}
	// The development server's admin key, for the CLI and waitFor.
	key, err := os.ReadFile(filepath.Join(dir, server.AdminKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	apiKey = strings.TrimSpace(string(key))
	t.Cleanup(func() { apiKey = "" })
	nc, err := nats.Connect(srv.NATSURL(), nats.Token("test-token"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, srv.HTTPURL()+"/ready", func(*http.Response) bool { return true })
	for _, a := range alerts {
		if _, err := js.Publish(t.Context(), protocol.AlertSubject(a.AgentID), testkit.MustJSON(t, a), jetstream.WithMsgID(a.ID)); err != nil {
			t.Fatal(err)
		}
	}
	hb := protocol.Heartbeat{Version: 1, AgentID: "edge-1", Hostname: "edge-host", AgentVersion: "1.2.3",
		SentAt: time.Now(), IntervalSeconds: 10, OutboxDepth: 5}
	if err := nc.Publish(protocol.HeartbeatSubject("edge-1"), testkit.MustJSON(t, hb)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, srv.HTTPURL()+"/api/v1/agents", func(r *http.Response) bool {
		var body struct{ Agents []any }
		return json.NewDecoder(r.Body).Decode(&body) == nil && len(body.Agents) == 1
	})
	waitFor(t, srv.HTTPURL()+"/api/v1/alerts?limit=1000", func(r *http.Response) bool {
		var body struct{ Alerts []any }
		return json.NewDecoder(r.Body).Decode(&body) == nil && len(body.Alerts) == len(alerts)
	})
	return srv
}

// waitFor polls url until it answers 200 and ok accepts the response.
func waitFor(t *testing.T, url string, ok func(*http.Response) bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		req, _ := http.NewRequest("GET", url, nil)
		if apiKey != "" {
			req.Header.Set("Authorization", "Bearer "+apiKey)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			continue
		}
		good := resp.StatusCode == http.StatusOK && ok(resp)
		resp.Body.Close()
		if good {
			return
		}
	}
	t.Fatalf("%s did not get there within 10s", url)
}

func testAlerts(n int) []protocol.Alert {
	ts := time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)
	var out []protocol.Alert
	for i := range n {
		agent := []string{"edge-1", "edge-2"}[i%2]
		series := protocol.SeriesName("temp", map[string]string{"site": "a"})
		at := ts.Add(time.Duration(i) * time.Minute)
		out = append(out, protocol.Alert{Version: 1, ID: protocol.AlertID(agent, series, "zscore", at),
			AgentID: agent, Series: series, Metric: "temp", Timestamp: at, Score: 0.9 + float64(i)/100,
			Severity: "warning", Detector: "zscore", Values: map[string]float64{"value": float64(40 + i)}})
	}
	return out
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

type result struct {
	err            error
	stdout, stderr string
}

// runCLI calls run with args and env (a map standing for the environment),
// giving up after timeout.
func runCLI(t *testing.T, timeout time.Duration, env map[string]string, args ...string) result {
	t.Helper()
	if _, set := env["PYNOMALY_API_KEY"]; !set && apiKey != "" {
		env = maps.Clone(env)
		if env == nil {
			env = map[string]string{}
		}
		env["PYNOMALY_API_KEY"] = apiKey
	}
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, args, func(k string) string { return env[k] }, &stdout, &stderr)
	return result{err, stdout.String(), stderr.String()}
}
