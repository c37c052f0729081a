package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/pynomaly/pynomaly/controlplane/broker"
	"github.com/pynomaly/pynomaly/controlplane/server"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

// call makes an API call with the admin key and decodes a JSON answer
// into out (when not nil), failing the test on an unexpected status.
func call(t *testing.T, srv *server.Server, method, path string, body any, want int, out any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(testkit.MustJSON(t, body))
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.HTTPURL()+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if key, ok := adminKeys.Load(srv.HTTPURL()); ok {
		req.Header.Set("Authorization", "Bearer "+key.(string))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

func createToken(t *testing.T, srv *server.Server, body map[string]any) string {
	t.Helper()
	var tok struct{ Token string }
	call(t, srv, "POST", "/api/v1/enrollment-tokens", body, http.StatusCreated, &tok)
	return tok.Token
}

func enroll(t *testing.T, srv *server.Server, req protocol.EnrollRequest) protocol.EnrollResponse {
	t.Helper()
	var resp protocol.EnrollResponse
	call(t, srv, "POST", protocol.EnrollPath, req, http.StatusCreated, &resp)
	return resp
}

// agentConn connects as an enrolled agent would, collecting the
// asynchronous errors (permission violations) NATS sends it.
type agentConn struct {
	nc   *nats.Conn
	mu   sync.Mutex
	errs []string
	gone chan struct{} // closed when the server cut the connection
}

func connectAgent(t *testing.T, url string, cred protocol.AgentCredentials) (*agentConn, error) {
	t.Helper()
	a := &agentConn{gone: make(chan struct{})}
	var once sync.Once
	nc, err := nats.Connect(url, nats.UserInfo(cred.AgentID, cred.Secret),
		nats.CustomInboxPrefix(protocol.AgentInboxPrefix(cred.AgentID)), nats.NoReconnect(),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			a.mu.Lock()
			a.errs = append(a.errs, err.Error())
			a.mu.Unlock()
		}),
		nats.DisconnectErrHandler(func(*nats.Conn, error) { once.Do(func() { close(a.gone) }) }))
	if err != nil {
		return nil, err
	}
	a.nc = nc
	t.Cleanup(nc.Close)
	return a, nil
}

// waitGone fails the test unless the server cuts the connection within
// 5 s; what names what should have been cut.
func (a *agentConn) waitGone(t *testing.T, what string) {
	t.Helper()
	select {
	case <-a.gone:
	case <-time.After(5 * time.Second):
		t.Fatal(what)
	}
}

// violation waits for a permissions violation naming subject.
func (a *agentConn) violation(t *testing.T, subject string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		a.mu.Lock()
		for _, e := range a.errs {
			if strings.Contains(e, "Permissions Violation") && strings.Contains(e, subject) {
				a.mu.Unlock()
				return
			}
		}
		a.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("no permissions violation for %s; errors: %v", subject, a.errs)
}

// TestEnrolledAgentPermissions enrolls two agents and checks, on the real
// embedded NATS server, that each can do its own work and nothing of the
// other's: publish alerts, read desired state, read models.
func TestEnrolledAgentPermissions(t *testing.T) {
	dir := t.TempDir()
	srv, _ := startServer(t, dir, nil)
	tok := createToken(t, srv, map[string]any{"description": "plant a", "labels": map[string]string{"site": "plant-a"}, "max_uses": 2})
	one := enroll(t, srv, protocol.EnrollRequest{Token: tok, AgentID: "edge-1", Hostname: "edge-1.plant-a", AgentVersion: "test"})
	two := enroll(t, srv, protocol.EnrollRequest{Token: tok, AgentID: "edge-2", Hostname: "edge-2.plant-a", AgentVersion: "test"})
	if one.AgentID != "edge-1" || two.AgentID != "edge-2" || one.Labels["site"] != "plant-a" || len(one.NATSURLs) != 1 {
		t.Fatalf("enrolled %+v and %+v", one, two)
	}
	if one.NATSURLs[0] != srv.NATSURL() {
		t.Errorf("told to connect to %v, want %s", one.NATSURLs, srv.NATSURL())
	}
	// The token allowed two uses; a third is refused.
	var refused struct {
		Error struct{ Code, Message string }
	}
	call(t, srv, "POST", protocol.EnrollPath, protocol.EnrollRequest{Token: tok, AgentID: "edge-3"}, http.StatusUnauthorized, &refused)
	if !strings.Contains(refused.Error.Message, "used") {
		t.Errorf("third enrollment: %+v", refused)
	}

	// Models: edge-1 is assigned m/1; m/2 is stored but not assigned.
	for _, v := range []string{"1", "2"} {
		putModel(t, srv, "m", v, []byte("model bytes "+v))
	}
	call(t, srv, "PUT", "/api/v1/agents/edge-1/desired", map[string]any{
		"pipeline": "detector:\n  type: zscore\n",
		"models":   []map[string]string{{"input": "in", "name": "m", "version": "1"}},
	}, http.StatusOK, nil)
	call(t, srv, "PUT", "/api/v1/agents/edge-2/desired", map[string]any{"pipeline": "detector:\n  type: ewma\n"}, http.StatusOK, nil)

	a, err := connectAgent(t, srv.NATSURL(), one.AgentCredentials)
	if err != nil {
		t.Fatalf("edge-1 cannot connect with its credentials: %v", err)
	}
	js, err := jetstream.New(a.nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	// Its own alerts go through JetStream and reach the store.
	alert := testAlert("edge-1", 0)
	if _, err := js.Publish(ctx, protocol.AlertSubject("edge-1"), testkit.MustJSON(t, alert), jetstream.WithMsgID(alert.ID)); err != nil {
		t.Fatalf("edge-1 publishing its own alert: %v", err)
	}
	// Another agent's subject is refused.
	if err := a.nc.Publish(protocol.AlertSubject("edge-2"), []byte("{}")); err != nil {
		t.Fatal(err)
	}
	a.violation(t, protocol.AlertSubject("edge-2"))
	if err := a.nc.Publish(protocol.HeartbeatSubject("edge-2"), []byte("{}")); err != nil {
		t.Fatal(err)
	}
	a.violation(t, protocol.HeartbeatSubject("edge-2"))

	// Its own desired state: read and watched; the other's: refused.
	kv, err := js.KeyValue(ctx, protocol.DesiredBucket)
	if err != nil {
		t.Fatalf("edge-1 opening the desired bucket: %v", err)
	}
	if e, err := kv.Get(ctx, "edge-1"); err != nil || !strings.Contains(string(e.Value()), "zscore") {
		t.Fatalf("edge-1 reading its desired state: %v", err)
	}
	w, err := kv.Watch(ctx, "edge-1")
	if err != nil {
		t.Fatalf("edge-1 watching its desired state: %v", err)
	}
	if e := <-w.Updates(); e == nil || e.Key() != "edge-1" {
		t.Fatalf("watch gave %v, want edge-1's state", e)
	}
	w.Stop()
	short, cancelShort := context.WithTimeout(ctx, time.Second)
	if _, err := kv.Get(short, "edge-2"); err == nil {
		t.Error("edge-1 read edge-2's desired state")
	}
	cancelShort()
	short, cancelShort = context.WithTimeout(ctx, time.Second)
	if _, err := kv.Watch(short, "edge-2"); err == nil {
		t.Error("edge-1 watched edge-2's desired state")
	}
	cancelShort()
	a.violation(t, "$KV.pynomaly_desired.edge-2")

	// Its assigned model: read; another version: refused.
	obs, err := js.ObjectStore(ctx, protocol.ModelsBucket)
	if err != nil {
		t.Fatalf("edge-1 opening the model store: %v", err)
	}
	if b, err := obs.GetBytes(ctx, "m/1"); err != nil || string(b) != "model bytes 1" {
		t.Fatalf("edge-1 reading its model: %q, %v", b, err)
	}
	short, cancelShort = context.WithTimeout(ctx, time.Second)
	if _, err := obs.GetBytes(short, "m/2"); err == nil {
		t.Error("edge-1 read model m/2, which it is not assigned")
	}
	cancelShort()
	a.violation(t, "$JS.API.DIRECT.GET.OBJ_pynomaly_models")

	// Nor can it listen in on others: subscriptions outside its inbox
	// are refused.
	if _, err := a.nc.SubscribeSync(protocol.HeartbeatSubjects()); err != nil {
		t.Fatal(err)
	}
	a.violation(t, protocol.HeartbeatSubjects())

	// A wrong secret, an unknown agent and another agent's id are refused.
	for _, bad := range []protocol.AgentCredentials{
		{AgentID: "edge-1", Secret: two.Secret}, {AgentID: "ghost", Secret: one.Secret}, {AgentID: "edge-1", Secret: ""},
	} {
		if _, err := connectAgent(t, srv.NATSURL(), bad); !errors.Is(err, nats.ErrAuthorization) {
			t.Errorf("connect as %s with a bad secret: %v, want an authorization violation", bad.AgentID, err)
		}
	}
	// The fleet's shared token still admits agents that never enrolled.
	legacy, err := nats.Connect(srv.NATSURL(), nats.Token(readToken(t, dir)))
	if err != nil {
		t.Fatalf("shared token refused: %v", err)
	}
	legacy.Close()
}

// TestRequireEnrollment: with RequireEnrollment the shared token admits no
// agent, and the refusal is counted under its own result; enrolled agents
// connect as before.
func TestRequireEnrollment(t *testing.T) {
	dir := t.TempDir()
	srv, _ := startServer(t, dir, func(o *server.Options) { o.RequireEnrollment = true })
	cred := enroll(t, srv, protocol.EnrollRequest{Token: createToken(t, srv, map[string]any{}), AgentID: "edge-1"})
	a, err := connectAgent(t, srv.NATSURL(), cred.AgentCredentials)
	if err != nil {
		t.Fatalf("enrolled agent refused: %v", err)
	}
	a.nc.Close()
	if _, err := nats.Connect(srv.NATSURL(), nats.Token(readToken(t, dir))); !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("shared token: %v, want an authorization violation", err)
	}
	if n := metricValue(t, srv, `pynomaly_nats_auth_total{result="shared_token_refused"}`); n != 1 {
		t.Errorf("shared_token_refused counted %v times, want 1", n)
	}
}

// TestUnenrollCutsOff: unenrolling an agent closes its open connection at
// once and refuses the next; the agent leaves the list.
func TestUnenrollCutsOff(t *testing.T) {
	srv, _ := startServer(t, t.TempDir(), nil)
	tok := createToken(t, srv, map[string]any{})
	cred := enroll(t, srv, protocol.EnrollRequest{Token: tok, AgentID: "edge-1"})
	a, err := connectAgent(t, srv.NATSURL(), cred.AgentCredentials)
	if err != nil {
		t.Fatal(err)
	}
	var agents struct{ Agents []struct{ ID, Status string } }
	call(t, srv, "GET", "/api/v1/agents", nil, http.StatusOK, &agents)
	if len(agents.Agents) != 1 || agents.Agents[0].Status != "pending" {
		t.Fatalf("agents after enrollment: %+v, want edge-1 pending", agents)
	}
	call(t, srv, "DELETE", "/api/v1/agents/edge-1", nil, http.StatusNoContent, nil)
	a.waitGone(t, "the unenrolled agent's connection is still open after 5s")
	if _, err := connectAgent(t, srv.NATSURL(), cred.AgentCredentials); !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("unenrolled agent reconnecting: %v, want an authorization violation", err)
	}
	call(t, srv, "GET", "/api/v1/agents", nil, http.StatusOK, &agents)
	if len(agents.Agents) != 0 {
		t.Errorf("agents after unenroll: %+v", agents)
	}
	call(t, srv, "DELETE", "/api/v1/agents/edge-1", nil, http.StatusNotFound, nil)
}

// TestReenrollReplacesIdentity: an agent that proves its old identity
// keeps its id and its old secret stops working; one that does not gets a
// new id beside the held one.
func TestReenrollReplacesIdentity(t *testing.T) {
	srv, _ := startServer(t, t.TempDir(), nil)
	tok := createToken(t, srv, map[string]any{"labels": map[string]string{"tier": "edge"}})
	first := enroll(t, srv, protocol.EnrollRequest{Token: tok, AgentID: "edge-1"})
	a, err := connectAgent(t, srv.NATSURL(), first.AgentCredentials)
	if err != nil {
		t.Fatal(err)
	}
	again := enroll(t, srv, protocol.EnrollRequest{Token: tok, AgentID: "edge-1", Previous: &first.AgentCredentials})
	if again.AgentID != "edge-1" || !again.Replaced || again.Secret == first.Secret {
		t.Fatalf("re-enrollment gave %+v", again)
	}
	a.waitGone(t, "the replaced identity's connection is still open after 5s")
	if _, err := connectAgent(t, srv.NATSURL(), first.AgentCredentials); !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("old secret after re-enrollment: %v, want refused", err)
	}
	if _, err := connectAgent(t, srv.NATSURL(), again.AgentCredentials); err != nil {
		t.Errorf("new secret: %v", err)
	}
	other := enroll(t, srv, protocol.EnrollRequest{Token: tok, AgentID: "edge-1"})
	if other.AgentID == "edge-1" || !strings.HasPrefix(other.AgentID, "edge-1-") || other.Replaced {
		t.Errorf("a second host asking for a held id got %+v, want edge-1-<suffix>", other)
	}
}

func putModel(t *testing.T, srv *server.Server, name, version string, b []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "PUT", srv.HTTPURL()+"/api/v1/models/"+name+"/versions/"+version, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	key, _ := adminKeys.Load(srv.HTTPURL())
	req.Header.Set("Authorization", "Bearer "+key.(string))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("upload model %s/%s: %s", name, version, resp.Status)
	}
}

func testAlert(agent string, i int) protocol.Alert {
	ts := time.Date(2025, 3, 14, 15, i, 0, 0, time.UTC)
	series := protocol.SeriesName("temp", map[string]string{"site": "a"})
	return protocol.Alert{Version: 1, ID: protocol.AlertID(agent, series, "zscore", ts), AgentID: agent,
		Series: series, Metric: "temp", Timestamp: ts, Score: 0.99, Severity: "critical", Detector: "zscore"}
}

// TestExternalNATSEnrollment runs an external NATS server on the
// configuration `pynomaly server nats-config` prints (broker.AuthConfig):
// the control plane connects as its own user, answers the callout there,
// and cuts an unenrolled agent off through the system account.
func TestExternalNATSEnrollment(t *testing.T) {
	kp, err := nkeys.CreateAccount()
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := kp.Seed()
	pub, _ := kp.PublicKey()
	const password, sysPassword = "cp-password-123", "sys-password-456"
	conf, err := broker.AuthConfig(password, pub, sysPassword)
	if err != nil {
		t.Fatal(err)
	}
	ext := testkit.StartNATSServer(t, "", func(o *natsserver.Options) {
		if err := o.ProcessConfigString(conf); err != nil {
			t.Fatalf("the printed config does not load: %v\n%s", err, conf)
		}
	})
	srv, _ := startServer(t, t.TempDir(), func(o *server.Options) {
		o.NATSURL, o.NATSToken = ext.URL(), password
		o.NATSCalloutKey, o.NATSSystemPassword = string(seed), sysPassword
	})
	tok := createToken(t, srv, map[string]any{})
	cred := enroll(t, srv, protocol.EnrollRequest{Token: tok, AgentID: "edge-x"})
	if len(cred.NATSURLs) != 1 || cred.NATSURLs[0] != ext.URL() {
		t.Errorf("told to connect to %v, want %s without the control plane's password", cred.NATSURLs, ext.URL())
	}
	a, err := connectAgent(t, ext.URL(), cred.AgentCredentials)
	if err != nil {
		t.Fatalf("enrolled agent on the external NATS: %v", err)
	}
	js, err := jetstream.New(a.nc)
	if err != nil {
		t.Fatal(err)
	}
	alert := testAlert("edge-x", 0)
	if _, err := js.Publish(t.Context(), protocol.AlertSubject("edge-x"), testkit.MustJSON(t, alert), jetstream.WithMsgID(alert.ID)); err != nil {
		t.Fatalf("publish its own alert: %v", err)
	}
	var page store.AlertPage
	eventually(t, srv.HTTPURL()+"/api/v1/alerts", &page, func() bool { return len(page.Alerts) == 1 })
	if err := a.nc.Publish(protocol.AlertSubject("edge-y"), []byte("{}")); err != nil {
		t.Fatal(err)
	}
	a.violation(t, protocol.AlertSubject("edge-y"))

	call(t, srv, "DELETE", "/api/v1/agents/edge-x", nil, http.StatusNoContent, nil)
	a.waitGone(t, "the unenrolled agent's connection to the external NATS is still open after 5s")
	if _, err := connectAgent(t, ext.URL(), cred.AgentCredentials); !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("unenrolled agent reconnecting: %v", err)
	}
}

// scrape returns srv's /metrics.
func scrape(t *testing.T, srv *server.Server) []byte {
	t.Helper()
	resp, err := http.Get(srv.HTTPURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// metricValue is the value of series (name{labels} as exposed) on srv's
// /metrics, or fails the test.
func metricValue(t *testing.T, srv *server.Server, series string) float64 {
	t.Helper()
	for line := range strings.Lines(string(scrape(t, srv))) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", series, err)
			}
			return f
		}
	}
	t.Fatalf("/metrics has no %s", series)
	return 0
}
