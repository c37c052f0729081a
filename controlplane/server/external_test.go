package server_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/controlplane/server"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

const extToken = "external-token"

type readyBody struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// TestExternalNATS: with NATSURL the control plane starts no NATS of its
// own, creates its stream on the external server, reports NATS not ready
// while that server is down, reconnects when it is back and goes on
// ingesting.
func TestExternalNATS(t *testing.T) {
	ext := testkit.StartNATSServer(t, extToken, nil)
	dir := t.TempDir()
	srv, _ := startServer(t, dir, func(o *server.Options) { o.NATSURL, o.NATSToken = ext.URL(), extToken })
	if srv.NATSURL() != ext.URL() {
		t.Errorf("NATSURL() = %q, want the external %q", srv.NATSURL(), ext.URL())
	}
	if _, err := os.Stat(filepath.Join(dir, "jetstream")); !os.IsNotExist(err) {
		t.Errorf("an embedded JetStream store was created in external mode (%v)", err)
	}
	js := ext.JetStream()
	info, err := js.Stream(t.Context(), protocol.StreamName)
	if err != nil {
		t.Fatalf("the control plane did not create stream %s on the external NATS: %v", protocol.StreamName, err)
	}
	if cfg := info.CachedInfo().Config; cfg.Storage != jetstream.FileStorage || cfg.Duplicates == 0 {
		t.Errorf("stream config %+v, want file storage with a duplicate window", cfg)
	}
	publishAlert(t, js, 0)
	var page store.AlertPage
	eventually(t, srv.HTTPURL()+"/api/v1/alerts", &page, func() bool { return len(page.Alerts) == 1 })

	ext.Stop()
	var ready readyBody
	eventually(t, srv.HTTPURL()+"/ready", &ready, func() bool { return ready.Checks["nats"] == "not ready" })
	if ready.Status != "not_ready" {
		t.Errorf("/ready with NATS down: %+v, want not_ready", ready)
	}

	ext.Start()
	eventually(t, srv.HTTPURL()+"/ready", &ready, func() bool { return ready.Status == "ready" && ready.Checks["nats"] == "ok" })
	publishAlert(t, ext.JetStream(), 1)
	eventually(t, srv.HTTPURL()+"/api/v1/alerts", &page, func() bool { return len(page.Alerts) == 2 })
}

// TestExternalNATSBadInputs: every way an external NATS can be wrong at
// start fails Start promptly with an error that names the problem.
func TestExternalNATSBadInputs(t *testing.T) {
	ext := testkit.StartNATSServer(t, extToken, nil)
	noJS := testkit.StartNATSServer(t, extToken, func(o *natsserver.Options) { o.JetStream = false })
	dead := fmt.Sprintf("nats://127.0.0.1:%d", testkit.FreePort(t))
	tests := []struct {
		name, url, token string
		wantErr          []string
		notInErr         string
	}{
		{name: "unparsable", url: "nats://[::1", token: extToken, wantErr: []string{`"nats://[::1"`}},
		{name: "wrong scheme", url: "http://127.0.0.1:4222", token: extToken, wantErr: []string{`"http://127.0.0.1:4222"`, "want nats://host:port"}},
		{name: "no scheme", url: "127.0.0.1:4222", token: extToken, wantErr: []string{"want nats://host:port"}},
		{name: "no host", url: "nats://:4222", token: extToken, wantErr: []string{"no host"}},
		{name: "empty cluster member", url: ext.URL() + ",", token: extToken, wantErr: []string{"empty entry"}},
		{name: "token in url", url: "nats://sekrit@127.0.0.1:4222", token: extToken, wantErr: []string{"credentials in the URL", "PYNOMALY_NATS_TOKEN"}, notInErr: "sekrit"},
		{name: "unreachable", url: dead, token: extToken, wantErr: []string{"connect to external NATS " + dead, "no servers available"}},
		{name: "wrong token", url: ext.URL(), token: "guess", wantErr: []string{"connect to external NATS", "Authorization Violation", "PYNOMALY_NATS_TOKEN"}},
		{name: "no token", url: ext.URL(), wantErr: []string{"no token", "PYNOMALY_NATS_TOKEN"}},
		{name: "no JetStream", url: noJS.URL(), token: extToken, wantErr: []string{"JetStream", "enable JetStream"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := server.Options{Host: "127.0.0.1", DataDir: t.TempDir(), NATSURL: tc.url, NATSToken: tc.token}
			start := time.Now()
			srv, err := server.Start(t.Context(), opts)
			if err == nil {
				_ = srv.Wait()
				t.Fatalf("Start with NATS %q succeeded", tc.url)
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if tc.notInErr != "" && strings.Contains(err.Error(), tc.notInErr) {
				t.Errorf("error %q shows %q", err, tc.notInErr)
			}
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("Start took %s to fail", d)
			}
		})
	}
}

// publishAlert publishes the i-th test alert as an agent would.
func publishAlert(t *testing.T, js jetstream.JetStream, i int) {
	t.Helper()
	ts := time.Date(2025, 3, 14, 15, i, 0, 0, time.UTC)
	series := protocol.SeriesName("temp", map[string]string{"site": "a"})
	a := protocol.Alert{Version: 1, ID: protocol.AlertID("edge-1", series, "zscore", ts), AgentID: "edge-1",
		Series: series, Metric: "temp", Timestamp: ts, Score: 0.99, Severity: "critical", Detector: "zscore"}
	if _, err := js.Publish(t.Context(), protocol.AlertSubject("edge-1"), testkit.MustJSON(t, a), jetstream.WithMsgID(a.ID)); err != nil {
		t.Fatal(err)
	}
}
