package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// ListAlerts returns one page of the alerts that match q, in insertion order
// (newest first unless q.Order is "asc"). Invalid queries fail with
// ErrBadQuery, unknown cursors with ErrBadCursor.
func (s *Store) ListAlerts(ctx context.Context, q AlertQuery) (AlertPage, error) {
	plan, err := planList(q)
	if err != nil {
		return AlertPage{}, err
	}
	rows, err := s.db.QueryContext(ctx, s.q(plan.sql), plan.args...)
	if err != nil {
		return AlertPage{}, fmt.Errorf("list alerts: %w", err)
	}
	defer rows.Close()
	alerts, seqs, err := scanAlerts(rows)
	if err != nil {
		return AlertPage{}, fmt.Errorf("list alerts: %w", err)
	}
	return makePage(alerts, seqs, plan.limit), nil
}

// makePage trims the extra row fetched to learn whether more alerts match.
func makePage(alerts []StoredAlert, seqs []int64, limit int) AlertPage {
	page := AlertPage{Alerts: alerts, HasMore: len(alerts) > limit}
	if page.HasMore {
		page.Alerts, seqs = alerts[:limit], seqs[:limit]
	}
	if len(seqs) > 0 {
		page.NextCursor = encodeCursor(seqs[len(seqs)-1])
	}
	return page
}

func scanAlerts(rows *sql.Rows) ([]StoredAlert, []int64, error) {
	alerts := []StoredAlert{}
	var seqs []int64
	for rows.Next() {
		a, seq, err := scanAlert(rows)
		if err != nil {
			return nil, nil, err
		}
		alerts = append(alerts, a)
		seqs = append(seqs, seq)
	}
	return alerts, seqs, rows.Err()
}

func scanAlert(rows *sql.Rows) (StoredAlert, int64, error) {
	var (
		seq      int64
		received sql.NullInt64
		body     string
		a        StoredAlert
	)
	if err := rows.Scan(&seq, &received, &body); err != nil {
		return StoredAlert{}, 0, fmt.Errorf("scan: %w", err)
	}
	if err := json.Unmarshal([]byte(body), &a.Alert); err != nil {
		return StoredAlert{}, 0, fmt.Errorf("decode alert at seq %d: %w", seq, err)
	}
	a.Alert = utcAlert(a.Alert)
	a.ReceivedAt = fromNanos(received)
	return a, seq, nil
}
