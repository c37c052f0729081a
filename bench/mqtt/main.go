// Command mqtt measures the agent's MQTT input end to end through a real
// mosquitto, against mosquitto_sub alone in the same run: how many
// messages per second the agent receives, parses, scores and commits to
// its outbox, as a ratio to what mosquitto_sub receives from the same
// publisher; and the agent's resident memory with 1, 1,000 and 10,000
// series. run.sh beside it builds the agent and runs this; see README.md.
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
		fmt.Fprintln(os.Stderr, "bench/mqtt:", err)
		os.Exit(1)
	}
}
