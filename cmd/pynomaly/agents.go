package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/api"
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
	fmt.Fprintln(tw, "ID\tHOSTNAME\tVERSION\tSTATUS\tLAST HEARTBEAT\tOUTBOX")
	for _, a := range body.Agents {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", a.ID, a.Hostname, a.Version, a.Status,
			a.LastHeartbeat.Format(time.RFC3339), a.OutboxDepth)
	}
	return tw.Flush()
}
