// Command iforest compares the iforest detector with scikit-learn's
// IsolationForest in one run on the same generated data: batch scoring
// throughput, single-point latency and ROC-AUC. compare.sh beside it
// installs scikit-learn when missing and runs it; see README.md.
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
		fmt.Fprintln(os.Stderr, "bench/iforest:", err)
		os.Exit(1)
	}
}
