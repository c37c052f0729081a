package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/protocol"
)

func agentsList(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("agents list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := clientFlags(fs, env)
	output := fs.String("o", "table", "output: table or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var body struct {
		Agents []api.Agent `json:"agents"`
	}
	if err := newClient(*base).get(ctx, "/api/v1/agents", nil, &body); err != nil {
		return err
	}
	if *output == "json" {
		return writeJSON(stdout, body)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tHOSTNAME\tVERSION\tSTATUS\tLAST HEARTBEAT\tOUTBOX\tCONFIG")
	for _, a := range body.Agents {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", a.ID, a.Hostname, a.Version, a.Status,
			a.LastHeartbeat.Format(time.RFC3339), a.OutboxDepth, configColumn(a.Config))
	}
	return tw.Flush()
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
