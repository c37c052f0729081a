// Command fleet measures the control plane's fleet API at scale: it starts
// a real control plane (SQLite, or PostgreSQL with -database-url), enrolls
// -agents agents back to back through POST /api/v1/agents/enroll (agents
// per second), then drives GET /api/v1/agents?label=site=… (a page of 100
// agents out of all of them) with wrk at a paced rate, and, in the same
// run, GET /health as the baseline of the HTTP stack alone. run.sh beside
// it runs this for SQLite and PostgreSQL; see README.md.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/server"
	"github.com/pynomaly/pynomaly/protocol"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench/fleet:", err)
		os.Exit(1)
	}
}

type options struct {
	agents      int
	perSite     int
	databaseURL string
	duration    time.Duration
	connections int
	rate        int
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("fleet", flag.ContinueOnError)
	var o options
	fs.IntVar(&o.agents, "agents", 10000, "agents to enroll")
	fs.IntVar(&o.perSite, "per-site", 100, "agents per site label: the size of the page the query returns")
	fs.StringVar(&o.databaseURL, "database-url", "", "PostgreSQL URL (default: SQLite in a temporary directory)")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long wrk drives each endpoint")
	fs.IntVar(&o.connections, "connections", 100, "wrk connections; each waits connections/rate seconds between its requests")
	fs.IntVar(&o.rate, "rate", 1000, "requests per second wrk is paced to")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the label query phase to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is not installed (Debian package wrk)")
	}
	dir, err := os.MkdirTemp("", "bench-fleet-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv, err := server.Start(ctx, server.Options{Host: "127.0.0.1", NATSHost: "127.0.0.1", DataDir: dir,
		DatabaseURL: o.databaseURL, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer func() { cancel(); _ = srv.Wait() }()
	key, err := os.ReadFile(filepath.Join(dir, server.AdminKeyFile))
	if err != nil {
		return err
	}
	c := &client{base: srv.HTTPURL(), key: strings.TrimSpace(string(key))}
	store := "SQLite"
	if o.databaseURL != "" {
		store = "PostgreSQL"
	}
	fmt.Fprintf(out, "store %s, %d agents, %d per site\n", store, o.agents, o.perSite)

	rate, err := enrollAll(ctx, c, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "enrollment: %d agents back to back in %.1f s: %.0f agents/s\n", o.agents, float64(o.agents)/rate, rate)

	site := fmt.Sprintf("site-%03d", o.agents/o.perSite/2)
	var page struct{ Agents []json.RawMessage }
	if err := c.call(ctx, "GET", "/api/v1/agents?label=site="+site, nil, &page); err != nil {
		return err
	}
	if len(page.Agents) != min(o.perSite, 100) {
		return fmt.Errorf("label query gave %d agents, want %d", len(page.Agents), min(o.perSite, 100))
	}
	base, err := drive(ctx, c, o, "/health")
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	query, err := drive(ctx, c, o, "/api/v1/agents?label=site="+site)
	pprof.StopCPUProfile()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%-44s %8s %8s %8s %8s\n", "wrk, paced to "+strconv.Itoa(o.rate)+"/s", "req/s", "p50 ms", "p99 ms", "errors")
	for _, r := range []result{base, query} {
		fmt.Fprintf(out, "%-44s %8.0f %8.2f %8.2f %8d\n", r.path, r.rps, r.p50, r.p99, r.errors)
	}
	fmt.Fprintf(out, "label query p99 / baseline p99: %.1f\n", query.p99/base.p99)
	return nil
}

// enrollAll makes one token per site and enrolls every agent with its
// site's token, as each agent's enroll command would; it returns agents
// per second.
func enrollAll(ctx context.Context, c *client, o options) (float64, error) {
	sites := (o.agents + o.perSite - 1) / o.perSite
	tokens := make([]string, sites)
	for i := range tokens {
		var tok struct{ Token string }
		body := map[string]any{"labels": map[string]string{"site": fmt.Sprintf("site-%03d", i), "fleet": "bench"}}
		if err := c.call(ctx, "POST", "/api/v1/enrollment-tokens", body, &tok); err != nil {
			return 0, err
		}
		tokens[i] = tok.Token
	}
	start := time.Now()
	for i := range o.agents {
		req := protocol.EnrollRequest{Token: tokens[i/o.perSite], AgentID: fmt.Sprintf("gw-%05d", i), Hostname: "bench", AgentVersion: "bench"}
		var resp protocol.EnrollResponse
		if err := c.call(ctx, "POST", protocol.EnrollPath, req, &resp); err != nil {
			return 0, fmt.Errorf("enroll agent %d: %w", i, err)
		}
	}
	return float64(o.agents) / time.Since(start).Seconds(), nil
}

type result struct {
	path          string
	rps, p50, p99 float64
	errors        int
}

// pacer makes each wrk connection wait between requests so that the
// connections together send about -rate requests per second (wrk itself
// sends as fast as it can).
const pacer = `
local delay_ms = %d
function delay() return delay_ms end
`

func drive(ctx context.Context, c *client, o options, path string) (result, error) {
	script, err := os.CreateTemp("", "pacer-*.lua")
	if err != nil {
		return result{}, err
	}
	defer os.Remove(script.Name())
	delay := max(0, 1000*o.connections/o.rate)
	if _, err := fmt.Fprintf(script, pacer, delay); err != nil {
		return result{}, err
	}
	script.Close()
	cmd := exec.CommandContext(ctx, "wrk", "--latency", "-t", "2", "-c", strconv.Itoa(o.connections),
		"-d", o.duration.String(), "-s", script.Name(), "-H", "Authorization: Bearer "+c.key, c.base+path)
	b, err := cmd.CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %w\n%s", err, b)
	}
	return parseWrk(path, string(b))
}

var (
	rpsRE     = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	latencyRE = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$`)
	non2xxRE  = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	socketRE  = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

func parseWrk(path, s string) (result, error) {
	r := result{path: path}
	m := rpsRE.FindStringSubmatch(s)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec in wrk's output:\n%s", s)
	}
	r.rps, _ = strconv.ParseFloat(m[1], 64)
	for _, m := range latencyRE.FindAllStringSubmatch(s, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		switch m[3] {
		case "us":
			v /= 1000
		case "s":
			v *= 1000
		}
		if m[1] == "50" {
			r.p50 = v
		} else {
			r.p99 = v
		}
	}
	if r.p99 == 0 {
		return r, fmt.Errorf("no latency distribution in wrk's output:\n%s", s)
	}
	if m := non2xxRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		r.errors += n
	}
	if m := socketRE.FindStringSubmatch(s); m != nil {
		for _, v := range m[1:] {
			n, _ := strconv.Atoi(v)
			r.errors += n
		}
	}
	return r, nil
}

type client struct {
	base, key string
}

func (c *client) call(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, b)
	}
	return json.Unmarshal(b, out)
}
