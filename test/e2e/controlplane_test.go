package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/server"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/internal/testkit"
)

const token = "e2e-token"

// controlPlane is an in-process control plane that a test can stop and
// start again on the same ports and data directory.
type controlPlane struct {
	t        *testing.T
	dataDir  string
	natsPort int
	httpPort int
	// externalNATS, when set, is the NATS the control plane connects to
	// instead of running its own.
	externalNATS string
	srv          *server.Server
	cancel       context.CancelFunc
}

func newControlPlane(t *testing.T) *controlPlane {
	return &controlPlane{t: t, dataDir: t.TempDir(), natsPort: testkit.FreePort(t), httpPort: testkit.FreePort(t)}
}

// newExternalControlPlane is a control plane in external NATS mode,
// connecting to url.
func newExternalControlPlane(t *testing.T, url string) *controlPlane {
	cp := newControlPlane(t)
	cp.externalNATS = url
	return cp
}

func (cp *controlPlane) natsURL() string {
	if cp.externalNATS != "" {
		return cp.externalNATS
	}
	return fmt.Sprintf("nats://127.0.0.1:%d", cp.natsPort)
}

func (cp *controlPlane) start() {
	cp.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.Start(ctx, server.Options{
		Host: "127.0.0.1", Port: cp.httpPort, DataDir: cp.dataDir,
		NATSHost: "127.0.0.1", NATSPort: cp.natsPort, NATSURL: cp.externalNATS, NATSToken: token,
	})
	if err != nil {
		cancel()
		cp.t.Fatalf("start control plane: %v", err)
	}
	cp.srv, cp.cancel = srv, cancel
	cp.t.Cleanup(cp.stop)
	testkit.WaitFor(cp.t, 10*time.Second, "control plane ready", cp.ready)
}

// ready reports whether /ready answers 200.
func (cp *controlPlane) ready() bool {
	resp, err := http.Get(cp.srv.HTTPURL() + "/ready")
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// metric is agentProc.metric for the control plane.
func (cp *controlPlane) metric(prefix string) float64 {
	return scrapeMetric(cp.srv.HTTPURL()+"/metrics", prefix)
}

func (cp *controlPlane) stop() {
	if cp.srv == nil {
		return
	}
	cp.cancel()
	if err := cp.srv.Wait(); err != nil {
		cp.t.Errorf("control plane stopped with: %v", err)
	}
	cp.srv = nil
}

// alerts returns every stored alert, paging through the API in insertion order.
func (cp *controlPlane) alerts() []store.StoredAlert {
	cp.t.Helper()
	var all []store.StoredAlert
	cursor := ""
	for {
		q := url.Values{"order": {"asc"}, "limit": {"7"}} // small pages exercise the cursor
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page store.AlertPage
		cp.getJSON("/api/v1/alerts?"+q.Encode(), &page)
		all = append(all, page.Alerts...)
		if !page.HasMore {
			return all
		}
		cursor = page.NextCursor
	}
}

func (cp *controlPlane) agents() []api.Agent {
	var body struct{ Agents []api.Agent }
	cp.getJSON("/api/v1/agents", &body)
	return body.Agents
}

func (cp *controlPlane) getJSON(path string, out any) {
	cp.t.Helper()
	if code, body := cp.send(cp.t, "GET", path, "", nil, out); code != http.StatusOK {
		cp.t.Fatalf("GET %s: %d %s", path, code, body)
	}
}

// apiKey is the admin key the development control plane generated in its
// data directory, which the API wants from every caller.
func (cp *controlPlane) apiKey() string {
	cp.t.Helper()
	b, err := os.ReadFile(filepath.Join(cp.dataDir, server.AdminKeyFile))
	if err != nil {
		cp.t.Fatalf("admin API key: %v", err)
	}
	return strings.TrimSpace(string(b))
}
