//go:build integration

package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"

	"github.com/pynomaly/pynomaly/internal/testkit"
)

// mosquitto is a mosquitto broker started by a test on a loopback port,
// with persistence in the test's directory.
type mosquitto struct {
	t    *testing.T
	dir  string
	port int
	conf string
	cmd  *exec.Cmd
	log  *testkit.LockedBuffer
}

type mosquittoOptions struct {
	users map[string]string // name → password; nil allows anonymous
	tls   *testCA           // serve TLS with a certificate from this CA
}

// startMosquitto starts mosquitto. Without the binary it fails when CI is
// set (CI installs it) and skips otherwise, saying what is missing.
func startMosquitto(t *testing.T, o mosquittoOptions) *mosquitto {
	t.Helper()
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		bin = "/usr/sbin/mosquitto"
		if _, err := os.Stat(bin); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("mosquitto not found: CI must install it (apt-get install -y mosquitto)")
			}
			t.Skip("mosquitto not installed; apt-get install -y mosquitto to run the integration tests")
		}
	}
	m := &mosquitto{t: t, dir: t.TempDir(), port: testkit.FreePort(t)}
	conf := []string{
		fmt.Sprintf("listener %d 127.0.0.1", m.port),
		"persistence true",
		"persistence_location " + m.dir + "/",
		"autosave_interval 1",
		"max_inflight_messages 100",
		"max_queued_messages 100000",
		"log_dest stderr",
		"log_type error", "log_type warning", "log_type notice", "log_type information",
		"log_type subscribe", // so a test can wait for the agent's subscription
	}
	if os.Geteuid() == 0 {
		// Run as root, mosquitto switches to user mosquitto, which cannot
		// read the test's files: keep root.
		conf = append(conf, "user root")
	}
	if o.users == nil {
		conf = append(conf, "allow_anonymous true")
	} else {
		pw := filepath.Join(m.dir, "passwords")
		for name, pass := range o.users {
			out, err := exec.Command("mosquitto_passwd", "-b", "-c", pw, name, pass).CombinedOutput()
			if err != nil {
				t.Fatalf("mosquitto_passwd: %v\n%s", err, out)
			}
		}
		conf = append(conf, "allow_anonymous false", "password_file "+pw)
	}
	if o.tls != nil {
		cert, key := o.tls.issue(t, m.dir, "127.0.0.1")
		conf = append(conf, "cafile "+o.tls.certFile, "certfile "+cert, "keyfile "+key)
	}
	m.conf = filepath.Join(m.dir, "mosquitto.conf")
	if err := os.WriteFile(m.conf, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m.cmd = exec.Command(bin, "-c", m.conf)
	m.start()
	t.Cleanup(func() {
		m.stop()
		if t.Failed() {
			t.Logf("mosquitto log:\n%s", m.log.String())
		}
	})
	return m
}

func (m *mosquitto) start() {
	m.t.Helper()
	if m.log == nil {
		m.log = &testkit.LockedBuffer{}
	}
	m.cmd = exec.Command(m.cmd.Path, "-c", m.conf)
	m.cmd.Stdout, m.cmd.Stderr = m.log, m.log
	if err := m.cmd.Start(); err != nil {
		m.t.Fatalf("start mosquitto: %v", err)
	}
	testkit.WaitFor(m.t, settle, "mosquitto listening", func() bool {
		c, err := net.Dial("tcp", m.addr())
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	})
}

// stop ends mosquitto with SIGTERM, which saves its persistence file.
func (m *mosquitto) stop() {
	if m.cmd == nil || m.cmd.Process == nil || m.cmd.ProcessState != nil {
		return
	}
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	_ = m.cmd.Wait()
}

func (m *mosquitto) restart() {
	m.stop()
	m.start()
}

func (m *mosquitto) addr() string { return fmt.Sprintf("127.0.0.1:%d", m.port) }

// publisher is a plain MQTT v5 client that publishes QoS 1 messages and
// waits for each PUBACK, reconnecting when the broker went away.
type publisher struct {
	t    *testing.T
	addr string
	// dial connects to the broker; nil is plain TCP.
	dial func() (net.Conn, error)
	c    *paho.Client
}

func (p *publisher) connect() error {
	dial := p.dial
	if dial == nil {
		dial = func() (net.Conn, error) { return net.Dial("tcp", p.addr) }
	}
	conn, err := dial()
	if err != nil {
		return err
	}
	c := paho.NewClient(paho.ClientConfig{Conn: conn})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Connect(ctx, &paho.Connect{ClientID: "e2e-publisher", KeepAlive: 30, CleanStart: true}); err != nil {
		_ = conn.Close()
		return err
	}
	p.c = c
	return nil
}

// rows publishes rows [from, to) as publishRows does, each acknowledged
// by the broker before the next.
func (p *publisher) rows(from, to int) {
	p.t.Helper()
	for i := from; i < to; i++ {
		v := 10 + 0.1*math.Sin(0.7*float64(i))
		if isSpike(i) {
			v += 50
		}
		p.publish(fmt.Appendf(nil, `{"ts": %q, "v": %.4f}`, rowTime(i).Format(time.RFC3339), v))
	}
}

// publish publishes msg at QoS 1 on the e2e device's topic, and waits for
// the broker's acknowledgement.
func (p *publisher) publish(msg []byte) {
	p.t.Helper()
	testkit.WaitFor(p.t, settle, "a publish acknowledged", func() bool {
		if p.c == nil && p.connect() != nil {
			return false
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err := p.c.Publish(ctx, &paho.Publish{Topic: "plant/e2e/pump-1/telemetry", QoS: 1, Payload: msg})
		if err != nil {
			_ = p.c.Disconnect(&paho.Disconnect{})
			p.c = nil
		}
		return err == nil
	})
}

func (p *publisher) close() {
	if p.c != nil {
		_ = p.c.Disconnect(&paho.Disconnect{})
	}
}

// mosquittoSetup starts a control plane and agent id on broker m at url,
// with extra input settings, and a publisher; it returns once the agent
// has subscribed, unless the input cannot connect (wait false).
func mosquittoSetup(t *testing.T, m *mosquitto, id, url, inputYML string, wait bool) (*controlPlane, *agentProc, *publisher) {
	cp := newControlPlane(t)
	cp.start()
	a := newAgent(t, agentSpec{id: id, natsURL: cp.natsURL(), inputsYML: mqttInputs(url, inputYML)})
	a.start()
	p := &publisher{t: t, addr: m.addr()}
	t.Cleanup(p.close)
	if wait {
		m.waitSubscribed(id)
	}
	logCounts(t, a, cp)
	return cp, a, p
}

// waitSubscribed waits until mosquitto logs agent id's subscription.
func (m *mosquitto) waitSubscribed(id string) {
	m.t.Helper()
	line := "pynomaly-" + id + "-line 1 plant/+/+/telemetry"
	testkit.WaitFor(m.t, settle, "the agent's subscription", func() bool { return strings.Contains(m.log.String(), line) })
}

// TestMosquittoBrokerRestart: QoS 1 through mosquitto restarted
// mid-stream: every message is scored once, every spike alerted once.
func TestMosquittoBrokerRestart(t *testing.T) {
	m := startMosquitto(t, mosquittoOptions{})
	cp, a, p := mosquittoSetup(t, m, "edge-mosq-restart", "mqtt://"+m.addr(), "", true)
	p.rows(0, 330)
	m.restart()
	p.rows(330, 650)
	want := mqttIDs("edge-mosq-restart", 0, 650)
	testkit.WaitFor(t, settle, "every spike alerted", countIs(cp, len(want)))
	time.Sleep(time.Second)
	checkExactly(t, cp.alerts(), want)
	testkit.WaitFor(t, settle, "every message scored", func() bool {
		return a.metric(`pynomaly_agent_input_records_total{input="line"}`) >= 650
	})
	if n := a.metric(`pynomaly_agent_input_records_total{input="line"}`); n != 650 {
		t.Errorf("records scored = %v, want 650, each message once", n)
	}
}

// TestMosquittoAgentKilled: the agent SIGKILLed mid-stream and restarted
// on its persistent session loses nothing and duplicates nothing.
func TestMosquittoAgentKilled(t *testing.T) {
	m := startMosquitto(t, mosquittoOptions{})
	cp, a, p := mosquittoSetup(t, m, "edge-mosq-kill", "mqtt://"+m.addr(), "", true)
	p.rows(0, 350)
	testkit.WaitFor(t, settle, "first alerts", countIs(cp, 1))
	a.kill()
	p.rows(350, 650) // queued by mosquitto for the session
	a.start()
	want := mqttIDs("edge-mosq-kill", 0, 650)
	testkit.WaitFor(t, settle, "every spike alerted", countIs(cp, len(want)))
	time.Sleep(time.Second)
	checkExactly(t, cp.alerts(), want)
}

// TestMosquittoOversize: messages over payload.max_bytes (1 MiB) are
// counted and acknowledged, and scoring carries on. With a QoS 2
// subscription the agent announces a Maximum Packet Size, and mosquitto
// keeps messages over it from the agent altogether.
func TestMosquittoOversize(t *testing.T) {
	pad := func(n int) []byte { return []byte(`{"v": 1, "pad": "` + strings.Repeat("x", n) + `"}`) }
	for _, qos := range []string{"1", "2"} {
		t.Run("qos"+qos, func(t *testing.T) {
			m := startMosquitto(t, mosquittoOptions{})
			id := "edge-mosq-big" + qos
			cp := newControlPlane(t)
			cp.start()
			in := strings.Replace(mqttInputs("mqtt://"+m.addr(), ""), "qos: 1", "qos: "+qos, 1)
			a := newAgent(t, agentSpec{id: id, natsURL: cp.natsURL(), inputsYML: in})
			a.start()
			p := &publisher{t: t, addr: m.addr()}
			t.Cleanup(p.close)
			logCounts(t, a, cp)
			testkit.WaitFor(t, settle, "the agent's subscription", func() bool {
				return strings.Contains(m.log.String(), "pynomaly-"+id+"-line "+qos+" plant/+/+/telemetry")
			})
			p.rows(0, 150)
			p.publish(pad(1<<20 + 1000)) // over max_bytes, under the packet limit
			p.publish(pad(3 << 20))      // over both
			p.rows(150, 300)
			want := mqttIDs(id, 0, 300)
			testkit.WaitFor(t, settle, "every spike alerted", countIs(cp, len(want)))
			checkExactly(t, cp.alerts(), want)
			oversize, messages := 2.0, 302.0
			if qos == "2" {
				oversize, messages = 1, 301 // the broker kept the 3 MiB one
			}
			testkit.WaitFor(t, settle, "every message counted", func() bool {
				return a.metric(`pynomaly_agent_input_messages_total{input="line"}`) == messages
			})
			if n := a.metric(`pynomaly_agent_input_errors_total{input="line",reason="oversize"}`); n != oversize {
				t.Errorf("oversize messages counted: %v, want %v", n, oversize)
			}
		})
	}
}

// logCounts logs, if the test fails, what the agent counted and stored.
func logCounts(t *testing.T, a *agentProc, cp *controlPlane) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		t.Logf("agent: messages %v, redelivered %v, records %v, errors %v",
			a.metric("pynomaly_agent_input_messages_total"), a.metric("pynomaly_agent_input_redelivered_total"),
			a.metric("pynomaly_agent_input_records_total"), a.metric("pynomaly_agent_input_errors_total"))
		for _, al := range cp.alerts() {
			t.Logf("stored %s", al.Timestamp.Format(time.TimeOnly))
		}
	})
}

// TestMosquittoTLS: the agent connects over TLS, trusting a generated CA.
func TestMosquittoTLS(t *testing.T) {
	ca := newTestCA(t)
	m := startMosquitto(t, mosquittoOptions{tls: ca})
	cp, _, p := mosquittoSetup(t, m, "edge-mosq-tls", "mqtts://"+m.addr(), "      tls: {ca_file: "+ca.certFile+"}", true)
	// The broker's one listener is TLS: the publisher trusts the CA too.
	p.dial = func() (net.Conn, error) { return ca.dial(m.addr()) }
	p.rows(0, 250)
	want := mqttIDs("edge-mosq-tls", 0, 250)
	testkit.WaitFor(t, settle, "alerts over TLS", countIs(cp, len(want)))
	checkExactly(t, cp.alerts(), want)
}

// TestMosquittoWrongPassword: a refused login is reported in the input's
// health, clearly, and retried.
func TestMosquittoWrongPassword(t *testing.T) {
	m := startMosquitto(t, mosquittoOptions{users: map[string]string{"agent": "right"}})
	_, a, _ := mosquittoSetup(t, m, "edge-mosq-pw", "mqtt://"+m.addr(), "      username: agent\n      password: wrong", false)
	testkit.WaitFor(t, settle, "the refusal in /health", func() bool {
		h, ok := a.health()
		return ok && len(h.Inputs) == 1 && h.Inputs[0].Status == "degraded" &&
			strings.HasPrefix(h.Inputs[0].Error, "broker refused the connection: ")
	})
	testkit.WaitFor(t, settle, "retries", func() bool { return strings.Count(a.log.String(), "mqtt connection refused; retrying") >= 2 })
}

// testCA is a throwaway certificate authority.
type testCA struct {
	cert     *x509.Certificate
	key      *ecdsa.PrivateKey
	certFile string
}

func newTestCA(t *testing.T) *testCA {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pynomaly test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	ca := &testCA{cert: cert, key: key, certFile: filepath.Join(t.TempDir(), "ca.pem")}
	writePEM(t, ca.certFile, "CERTIFICATE", der)
	return ca
}

// issue writes a server certificate for ip signed by the CA, and its key.
func (ca *testCA) issue(t *testing.T, dir, ip string) (certFile, keyFile string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: ip},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP(ip)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "EC PRIVATE KEY", kder)
	return certFile, keyFile
}

// dial opens a TLS connection to addr trusting only the CA.
func (ca *testCA) dial(addr string) (net.Conn, error) {
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	return tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12})
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
