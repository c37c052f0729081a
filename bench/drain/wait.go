package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // the rows counter reads the control plane's database
)

// caseTimeout bounds one measurement, so that a stalled drain ends the
// benchmark with an error instead of hanging it.
const caseTimeout = 10 * time.Minute

// waitRows polls the control plane's database in dataDir until its alerts
// table holds n rows. It polls MAX(seq), which SQLite answers from the end
// of the table's b-tree (COUNT(*) would scan it: a load on the machine
// that grows with the rows), and confirms with one COUNT(*) at the end:
// exactly n rows, no alert lost and none stored twice.
func waitRows(ctx context.Context, dataDir string, n int) error {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "pynomaly.db")+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, caseTimeout)
	defer cancel()
	for {
		var last int
		if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM alerts").Scan(&last); err != nil {
			return fmt.Errorf("count rows: %w", err)
		}
		if last >= n {
			var rows int
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM alerts").Scan(&rows); err != nil {
				return fmt.Errorf("count rows: %w", err)
			}
			if rows == n {
				return nil
			}
			if rows > n {
				return fmt.Errorf("the store holds %d rows for %d alerts", rows, n)
			}
		}
		if err := sleep(ctx, 5*time.Millisecond); err != nil {
			return fmt.Errorf("%d of %d rows stored: %w", last, n, err)
		}
	}
}

// waitFor polls cond every 5 ms until it holds.
func waitFor(ctx context.Context, what string, cond func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, caseTimeout)
	defer cancel()
	for !cond() {
		if err := sleep(ctx, 5*time.Millisecond); err != nil {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
	}
	return nil
}

// waitReady waits until the control plane's API says it is ready: the
// stream and the consumer exist, so an uplink's first publish is taken.
func waitReady(ctx context.Context, apiURL string) error {
	return waitFor(ctx, apiURL+"/ready", func() bool {
		resp, err := http.Get(apiURL + "/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
