package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/protocol"
)

// Page sizes for ListAlerts.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// AlertQuery selects and pages alerts for ListAlerts.
type AlertQuery struct {
	AgentID string // exact match, "" = any
	Series  string // exact match on canonical series string, "" = any
	// From and To bound the alert Timestamp; zero = unbounded; From
	// inclusive, To exclusive.
	From, To time.Time
	Cursor   string // opaque, from a previous AlertPage.NextCursor; "" = start
	Limit    int    // 0 = 100 default; values > 1000 are clamped to 1000; negative is an error
	Order    string // "asc" or "desc" (default "desc" when ""), by insertion order
}

// StoredAlert is an alert as stored, with the control plane's receipt time.
type StoredAlert struct {
	protocol.Alert
	ReceivedAt time.Time `json:"received_at"`
}

// AlertPage is one page of ListAlerts results.
type AlertPage struct {
	Alerts []StoredAlert `json:"alerts"` // never nil (empty slice) so JSON shows []
	// NextCursor is the position after the last returned alert; "" only when
	// no alerts were returned (then the caller keeps its old cursor).
	NextCursor string `json:"next_cursor"`
	HasMore    bool   `json:"has_more"` // more alerts matched beyond this page right now
}

// listPlan is a validated AlertQuery turned into SQL.
type listPlan struct {
	sql   string
	args  []any
	limit int
}

func planList(q AlertQuery) (listPlan, error) {
	limit, err := pageLimit(q.Limit)
	if err != nil {
		return listPlan{}, err
	}
	desc, err := descending(q.Order)
	if err != nil {
		return listPlan{}, err
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.From.After(q.To) {
		return listPlan{}, fmt.Errorf("%w: from %s is after to %s", ErrBadQuery,
			q.From.UTC().Format(time.RFC3339Nano), q.To.UTC().Format(time.RFC3339Nano))
	}
	after, err := decodeCursor(q.Cursor)
	if err != nil {
		return listPlan{}, err
	}
	where, args := filters(q, after, desc)
	sql := "SELECT seq, received_at, body FROM alerts" + where + " ORDER BY seq"
	if desc {
		sql += " DESC"
	}
	return listPlan{sql: sql + " LIMIT ?", args: append(args, limit+1), limit: limit}, nil
}

func pageLimit(n int) (int, error) {
	switch {
	case n < 0:
		return 0, fmt.Errorf("%w: limit %d is negative (use 0 for the default of %d)", ErrBadQuery, n, defaultLimit)
	case n == 0:
		return defaultLimit, nil
	}
	return min(n, maxLimit), nil
}

func descending(order string) (bool, error) {
	switch strings.ToLower(order) {
	case "", "desc":
		return true, nil
	case "asc":
		return false, nil
	}
	return false, fmt.Errorf("%w: order %q is neither \"asc\" nor \"desc\"", ErrBadQuery, order)
}

// filters builds the WHERE clause from fixed fragments only; every value
// travels as an argument.
func filters(q AlertQuery, after int64, desc bool) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	if q.AgentID != "" {
		add("agent_id = ?", q.AgentID)
	}
	if q.Series != "" {
		add("series = ?", q.Series)
	}
	if !q.From.IsZero() {
		add("ts >= ?", unixNanos(q.From))
	}
	if !q.To.IsZero() {
		add("ts < ?", unixNanos(q.To))
	}
	switch {
	case after > 0 && desc:
		add("seq < ?", after)
	case after > 0:
		add("seq > ?", after)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}
