package server_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/controlplane/server"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

// TestAlertAndHeartbeatReachAPI follows an agent's messages over a real
// NATS connection into the API, across a control-plane restart; on
// PostgreSQL too, under `make test-postgres`.
func TestAlertAndHeartbeatReachAPI(t *testing.T) {
	dir := t.TempDir()
	db := testkit.PostgresDSN(t) // "" (SQLite in dir) unless make test-postgres
	withDB := func(o *server.Options) { o.DatabaseURL = db }
	srv, cancel := startServer(t, dir, withDB)
	nc, err := nats.Connect(srv.NATSURL(), nats.Token(readToken(t, dir)))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)
	series := protocol.SeriesName("temp", map[string]string{"site": "a"})
	a := protocol.Alert{Version: 1, ID: protocol.AlertID("edge-1", series, "zscore", ts), AgentID: "edge-1",
		Series: series, Metric: "temp", Timestamp: ts, Score: 0.99, Severity: "critical", Detector: "zscore"}
	body, _ := json.Marshal(a)
	if _, err := js.Publish(t.Context(), protocol.AlertSubject("edge-1"), body, jetstream.WithMsgID(a.ID)); err != nil {
		t.Fatal(err)
	}
	hb, _ := json.Marshal(protocol.Heartbeat{Version: 1, AgentID: "edge-1", Hostname: "edge", SentAt: time.Now(), IntervalSeconds: 10})
	if err := nc.Publish(protocol.HeartbeatSubject("edge-1"), hb); err != nil {
		t.Fatal(err)
	}
	var page store.AlertPage
	eventually(t, srv.HTTPURL()+"/api/v1/alerts", &page, func() bool { return len(page.Alerts) == 1 && page.Alerts[0].ID == a.ID })
	var agents struct {
		Agents []struct{ ID, Status string } `json:"agents"`
	}
	eventually(t, srv.HTTPURL()+"/api/v1/agents", &agents, func() bool {
		return len(agents.Agents) == 1 && agents.Agents[0].ID == "edge-1" && agents.Agents[0].Status == "online"
	})

	// The alert survives a restart and is not stored twice.
	cancel()
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	again, _ := startServer(t, dir, withDB)
	page = store.AlertPage{}
	eventually(t, again.HTTPURL()+"/api/v1/alerts", &page, func() bool { return len(page.Alerts) == 1 })
}

// eventually GETs url into out until done reports true, for up to 10 s.
func eventually(t *testing.T, url string, out any, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := authGet(url)
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(out)
		resp.Body.Close()
		if err == nil && done() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: still %+v (%v) after 10s", url, out, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
