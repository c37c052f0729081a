package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pynomaly/pynomaly/protocol"
)

const insertAlertSQL = `INSERT INTO alerts (id, agent_id, series, ts, received_at, body)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO NOTHING`

// InsertAlerts stores alerts in one transaction. It is idempotent: an alert
// whose id is already stored (or appears earlier in the batch) is skipped,
// never a second row, never an error. It returns how many rows were new. An
// alert without an id fails the whole batch.
func (s *Store) InsertAlerts(ctx context.Context, alerts []protocol.Alert, receivedAt time.Time) (inserted int, err error) {
	if len(alerts) == 0 {
		return 0, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("insert alerts: begin: %w", err)
	}
	defer tx.Rollback()
	if err := s.lockInserts(ctx, tx); err != nil {
		return 0, fmt.Errorf("insert alerts: %w", err)
	}
	n, err := insertAll(ctx, tx, s.q(insertAlertSQL), alerts, nullNanos(receivedAt))
	if err != nil {
		return 0, fmt.Errorf("insert alerts: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("insert alerts: commit: %w", err)
	}
	return n, nil
}

func insertAll(ctx context.Context, tx *sql.Tx, insertSQL string, alerts []protocol.Alert, receivedAt sql.NullInt64) (int, error) {
	stmt, err := tx.PrepareContext(ctx, insertSQL)
	if err != nil {
		return 0, fmt.Errorf("prepare: %w", err)
	}
	defer stmt.Close()
	n := 0
	for i := range alerts {
		added, err := insertOne(ctx, stmt, &alerts[i], receivedAt)
		if err != nil {
			return 0, err
		}
		n += added
	}
	return n, nil
}

func insertOne(ctx context.Context, stmt *sql.Stmt, a *protocol.Alert, receivedAt sql.NullInt64) (int, error) {
	if a.ID == "" {
		return 0, errors.New("alert without id (validate alerts with protocol.DecodeAlert first)")
	}
	body, err := json.Marshal(utcAlert(*a))
	if err != nil {
		return 0, fmt.Errorf("alert %s: encode: %w", a.ID, err)
	}
	res, err := stmt.ExecContext(ctx, a.ID, a.AgentID, a.Series, nullNanos(a.Timestamp), receivedAt, string(body))
	if err != nil {
		return 0, fmt.Errorf("alert %s: %w", a.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("alert %s: rows affected: %w", a.ID, err)
	}
	return int(n), nil
}

// utcAlert puts a's times in UTC, so stored bodies and values read back
// compare equal however the sender's clock was zoned.
func utcAlert(a protocol.Alert) protocol.Alert {
	a.Timestamp = a.Timestamp.UTC()
	a.DetectedAt = a.DetectedAt.UTC()
	return a
}
