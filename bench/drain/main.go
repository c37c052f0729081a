// Command drain measures how fast an agent's outbox, filled during an
// outage, drains into the control plane once it is back: real bbolt
// outboxes, the real uplink, and a real control plane (embedded NATS with
// JetStream on disk, ingest, SQLite), all in this process, timed from the
// uplinks' start until the store holds a row for every alert. Baselines
// measured in the same run (JetStream alone, the agent's side alone,
// SQLite alone, the control plane's side alone) say where the time goes.
// run.sh beside it runs this; see README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench/drain:", err)
		os.Exit(1)
	}
}
