package main

import (
	"context"
	"flag"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/protocol"
)

func agentsList(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	q := url.Values{}
	limit := 0
	c, output, err := adminCommand("agents list", args, env, stderr, func(fs *flag.FlagSet) {
		for name, usage := range map[string]string{
			"status":     "online, degraded, offline or pending (comma-separated for several)",
			"version":    "agent version, exactly",
			"seen-since": "a heartbeat at or after this RFC 3339 time",
			"selector":   "label selector: site=a,role in (pump,valve),!test",
		} {
			fs.Func(name, usage, func(s string) error { q.Set(strings.ReplaceAll(name, "-", "_"), s); return nil })
		}
		fs.Func("label", "name=value the agents must have (repeatable)", func(s string) error { q.Add("label", s); return nil })
		fs.IntVar(&limit, "limit", 0, "at most this many agents (default: all, read a page at a time)")
	})
	if err != nil {
		return err
	}
	agents := []api.Agent{}
	for {
		page := api.DefaultAgentsLimit
		if limit > 0 {
			page = min(limit-len(agents), api.MaxAgentsLimit)
		}
		q.Set("limit", strconv.Itoa(page))
		var body struct {
			Agents     []api.Agent `json:"agents"`
			NextCursor string      `json:"next_cursor"`
		}
		if err := c.get(ctx, "/api/v1/agents", q, &body); err != nil {
			return err
		}
		agents = append(agents, body.Agents...)
		if body.NextCursor == "" || (limit > 0 && len(agents) >= limit) {
			break
		}
		q.Set("cursor", body.NextCursor)
	}
	if output == "json" {
		return writeJSON(stdout, map[string]any{"agents": agents})
	}
	var rows [][]string
	for _, a := range agents {
		rows = append(rows, []string{a.ID, a.Hostname, a.Version, a.Status, stamp(a.LastHeartbeat),
			strconv.FormatInt(a.OutboxDepth, 10), configColumn(a.Config), formatLabels(a.Labels)})
	}
	return table(stdout, "ID\tHOSTNAME\tVERSION\tSTATUS\tLAST HEARTBEAT\tOUTBOX\tCONFIG\tLABELS", rows)
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
