package main

import (
	"context"
	"flag"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/protocol"
)

func agentsList(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	q := url.Values{}
	c, output, err := adminCommand("agents list", args, env, stderr, func(fs *flag.FlagSet) {
		for name, usage := range map[string]string{
			"status":     "online, degraded or offline (comma-separated for several)",
			"version":    "agent version, exactly",
			"seen-since": "a heartbeat at or after this RFC 3339 time",
		} {
			fs.Func(name, usage, func(s string) error { q.Set(strings.ReplaceAll(name, "-", "_"), s); return nil })
		}
	})
	if err != nil {
		return err
	}
	var body struct {
		Agents []api.Agent `json:"agents"`
	}
	if err := c.get(ctx, "/api/v1/agents", q, &body); err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(stdout, body)
	}
	var rows [][]string
	for _, a := range body.Agents {
		rows = append(rows, []string{a.ID, a.Hostname, a.Version, a.Status, a.LastHeartbeat.Format(time.RFC3339),
			strconv.FormatInt(a.OutboxDepth, 10), configColumn(a.Config)})
	}
	return table(stdout, "ID\tHOSTNAME\tVERSION\tSTATUS\tLAST HEARTBEAT\tOUTBOX\tCONFIG", rows)
}

// agentsGet prints one agent whole, as JSON.
func agentsGet(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	c, id, err := desiredCommand("agents get", args, env, stderr, nil)
	if err != nil {
		return err
	}
	var a api.Agent
	if err := c.get(ctx, "/api/v1/agents/"+url.PathEscape(id), nil, &a); err != nil {
		return err
	}
	return writeJSON(stdout, a)
}

// configColumn summarises what became of an agent's desired state: "file"
// for its own file's pipeline, else the running hash, and a refusal.
func configColumn(c *protocol.AppliedConfig) string {
	if c == nil {
		return "file"
	}
	running := c.RunningHash
	if running == "" {
		running = "file"
	}
	if c.Status != protocol.ConfigApplied {
		return running + " (" + c.Hash + " " + c.Status + ")"
	}
	return running
}
