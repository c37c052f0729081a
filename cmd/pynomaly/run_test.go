package main

import (
	"encoding/json"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/store"
)

func TestRun(t *testing.T) {
	alerts := testAlerts(3)
	srv := startControlPlane(t, alerts)
	url := srv.HTTPURL()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port
	dead := freeAddr(t)
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		wantUsage  bool   // the error is a usageError (exit 2)
		wantErr    string // substring of the error; "" means success
		wantStdout []string
		wantStderr string
	}{
		{name: "no command", wantUsage: true, wantErr: "no command", wantStderr: "Usage:"},
		{name: "unknown command", args: []string{"frobnicate"}, wantUsage: true, wantErr: `unknown command "frobnicate"`, wantStderr: "Usage:"},
		{name: "unknown subcommand", args: []string{"alerts", "delete"}, wantUsage: true, wantErr: "alerts delete"},
		{name: "version", args: []string{"version"}, wantStdout: []string{"pynomaly dev"}},
		{name: "help", args: []string{"help"}, wantStdout: []string{"pynomaly server start"}},
		{name: "flag help is not an error", args: []string{"alerts", "list", "-h"}, wantStderr: "-limit"},
		{name: "bad port flag", args: []string{"server", "start", "--port", "abc"}, wantUsage: true, wantErr: "-port"},
		{name: "bad port env", env: map[string]string{"PYNOMALY_PORT": "80a"},
			args: []string{"server", "start", "--nats-port", "0", "--data-dir", t.TempDir()}, wantUsage: true, wantErr: "PYNOMALY_PORT"},
		{name: "bad log level", args: []string{"server", "start", "--log-level", "loud"}, wantUsage: true, wantErr: "log level"},
		{name: "bad nats url env", env: map[string]string{"PYNOMALY_NATS_URL": "localhost:4222"},
			args: []string{"server", "start", "--data-dir", t.TempDir()}, wantUsage: true, wantErr: `PYNOMALY_NATS_URL: nats url "localhost:4222": want nats://host:port`},
		{name: "bad rate limit window env", env: map[string]string{"PYNOMALY_RATE_LIMIT_WINDOW": "soon"},
			args: []string{"server", "start", "--data-dir", t.TempDir()}, wantUsage: true, wantErr: `PYNOMALY_RATE_LIMIT_WINDOW="soon": want seconds (60) or a duration (1m)`},
		{name: "negative rate limit", args: []string{"server", "start", "--rate-limit", "-1", "--data-dir", t.TempDir()},
			wantUsage: true, wantErr: "rate limit -1 per 1m0s"},
		{name: "bad cors origin", env: map[string]string{"PYNOMALY_CORS_ORIGINS": "https://ops.example.com, ops2.example.com"},
			args: []string{"server", "start", "--data-dir", t.TempDir()}, wantUsage: true, wantErr: `PYNOMALY_CORS_ORIGINS: cors: origin "ops2.example.com"`},
		{name: "bad environment mode", env: map[string]string{"PYNOMALY_ENV": "staging"},
			args: []string{"server", "start", "--data-dir", t.TempDir()}, wantUsage: true, wantErr: `PYNOMALY_ENV="staging": want production or development`},
		{name: "production without secrets", env: map[string]string{"PYNOMALY_ENV": "production"},
			args: []string{"server", "start", "--data-dir", t.TempDir()}, wantErr: "PYNOMALY_DATABASE_URL is not set; SECRET_KEY is not set; JWT_SECRET_KEY is not set"},
		{name: "database url not postgres", env: map[string]string{"PYNOMALY_DATABASE_URL": "mysql://u:p@db/x"},
			args: []string{"server", "start", "--data-dir", t.TempDir()}, wantUsage: true, wantErr: "PYNOMALY_DATABASE_URL: want a PostgreSQL URL"},
		{name: "database url without database", args: []string{"server", "start", "--database-url", "postgres://u:s3cret@db:5432", "--data-dir", t.TempDir()},
			wantUsage: true, wantErr: "postgres://u:xxxxx@db:5432: want postgres://user:password@host:5432/database"},
		{name: "unreachable database", env: map[string]string{"PYNOMALY_DATABASE_URL": "postgres://u:s3cret@" + dead + "/pynomaly?sslmode=disable&connect_timeout=2"},
			args: []string{"server", "start", "--data-dir", t.TempDir()}, wantErr: "open store postgres://u:xxxxx@" + dead + "/pynomaly"},
		{name: "bad nats url flag", args: []string{"server", "start", "--nats-url", "nats://[::1", "--data-dir", t.TempDir()},
			wantUsage: true, wantErr: "--nats-url"},
		{name: "unreachable nats url", env: map[string]string{"PYNOMALY_NATS_URL": "nats://" + dead, "PYNOMALY_NATS_TOKEN": "t"},
			args: []string{"server", "start", "--port", "0", "--data-dir", t.TempDir()}, wantErr: "connect to external NATS nats://" + dead},
		{name: "external nats without a token", env: map[string]string{"PYNOMALY_NATS_URL": "nats://" + dead},
			args: []string{"server", "start", "--port", "0", "--data-dir", t.TempDir()}, wantErr: "no token: set PYNOMALY_NATS_TOKEN"},
		{name: "bad require enrollment env", env: map[string]string{"PYNOMALY_REQUIRE_ENROLLMENT": "sometimes"},
			args: []string{"server", "start", "--data-dir", t.TempDir()}, wantUsage: true, wantErr: `PYNOMALY_REQUIRE_ENROLLMENT="sometimes": want true or false`},
		{name: "require enrollment without a callout", env: map[string]string{"PYNOMALY_NATS_URL": "nats://" + dead, "PYNOMALY_NATS_TOKEN": "t"},
			args:    []string{"server", "start", "--require-enrollment", "--port", "0", "--data-dir", t.TempDir()},
			wantErr: "PYNOMALY_REQUIRE_ENROLLMENT needs the authorization callout"},
		{name: "stray argument", args: []string{"agents", "list", "extra"}, wantUsage: true, wantErr: `"extra"`},
		{name: "port in use", args: []string{"server", "start", "--port", itoa(busyPort), "--nats-port", "0", "--data-dir", t.TempDir()},
			wantErr: busy.Addr().String()},
		{name: "alerts list", args: []string{"alerts", "list", "--url", url},
			wantStdout: []string{"TIME  ", "AGENT", "SCORE", alerts[0].ID, alerts[1].ID, alerts[2].ID, "value=42", "0.9200"}},
		{name: "alerts list filtered", args: []string{"alerts", "list", "--url", url, "--agent", "edge-2"},
			wantStdout: []string{alerts[1].ID}},
		{name: "alerts list via PYNOMALY_URL", env: map[string]string{"PYNOMALY_URL": url}, args: []string{"alerts", "list"},
			wantStdout: []string{alerts[2].ID}},
		{name: "flag beats env", env: map[string]string{"PYNOMALY_URL": "http://" + dead}, args: []string{"alerts", "list", "--url", url},
			wantStdout: []string{alerts[2].ID}},
		{name: "alerts list limit 0", args: []string{"alerts", "list", "--url", url, "--limit", "0"},
			wantErr: `400 Bad Request: limit "0": want an integer from 1 to 1000`},
		{name: "alerts list bad from", args: []string{"alerts", "list", "--url", url, "--from", "yesterday"}, wantErr: `from "yesterday"`},
		{name: "agents list", args: []string{"agents", "list", "--url", url},
			wantStdout: []string{"ID  ", "STATUS", "CONFIG", "edge-1", "edge-host", "1.2.3", "online", " file"}},
		{name: "unreachable url", args: []string{"agents", "list", "--url", "http://" + dead}, wantErr: "reach control plane"},
		{name: "unreachable env url", env: map[string]string{"PYNOMALY_URL": "http://" + dead}, args: []string{"alerts", "list"}, wantErr: dead},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, 10*time.Second, tc.env, tc.args...)
			checkResult(t, r, tc.wantErr, tc.wantUsage)
			for _, s := range tc.wantStdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
				}
			}
			if !strings.Contains(r.stderr, tc.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantStderr, r.stderr)
			}
		})
	}
}

func checkResult(t *testing.T, r result, wantErr string, wantUsage bool) {
	t.Helper()
	if wantErr == "" {
		if r.err != nil {
			t.Fatalf("run: %v\nstderr: %s", r.err, r.stderr)
		}
		return
	}
	if r.err == nil || !strings.Contains(r.err.Error(), wantErr) {
		t.Fatalf("run error = %v, want one containing %q", r.err, wantErr)
	}
	var ue usageError
	if errors.As(r.err, &ue) != wantUsage {
		t.Errorf("run error %v: usage error = %v, want %v", r.err, !wantUsage, wantUsage)
	}
}

func TestAlertsListJSONAndPaging(t *testing.T) {
	alerts := testAlerts(5)
	srv := startControlPlane(t, alerts)
	var got []string
	args := []string{"alerts", "list", "--url", srv.HTTPURL(), "-o", "json", "--limit", "2", "--order", "asc"}
	for pages := 0; ; pages++ {
		if pages > len(alerts) {
			t.Fatal("paging does not end")
		}
		r := runCLI(t, 10*time.Second, nil, args...)
		checkResult(t, r, "", false)
		var page store.AlertPage
		if err := json.Unmarshal([]byte(r.stdout), &page); err != nil {
			t.Fatalf("-o json output does not parse: %v\n%s", err, r.stdout)
		}
		for _, a := range page.Alerts {
			got = append(got, a.ID)
		}
		if !page.HasMore {
			break
		}
		args = append(args, "--cursor", page.NextCursor)
	}
	if len(got) != len(alerts) {
		t.Fatalf("paged through %d alerts, want %d", len(got), len(alerts))
	}
	for i, a := range alerts {
		if got[i] != a.ID {
			t.Errorf("alert %d = %s, want %s", i, got[i], a.ID)
		}
	}
}

func TestAlertsWatchPrintsEachAlertOnce(t *testing.T) {
	alerts := testAlerts(3)
	srv := startControlPlane(t, alerts)
	r := runCLI(t, 700*time.Millisecond, nil, "alerts", "watch", "--url", srv.HTTPURL(), "--interval", "50ms")
	checkResult(t, r, "", false)
	for _, a := range alerts {
		if n := strings.Count(r.stdout, a.ID); n != 1 {
			t.Errorf("alert %s printed %d times, want once:\n%s", a.ID, n, r.stdout)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
