package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

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
	n, err := insertAll(ctx, s.rowContext(ctx), tx, s.q(insertAlertSQL), alerts, nanosArg(receivedAt))
	if err != nil {
		return 0, fmt.Errorf("insert alerts: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("insert alerts: commit: %w", err)
	}
	return n, nil
}

// rowContext is the context each row's insert runs under. SQLite's driver
// starts a goroutine per statement to watch a cancellable context, a tenth
// of an insert's cost; in a transaction that took the write lock at BEGIN a
// row's insert neither waits nor takes long, so insertAll checks ctx between
// rows instead. PostgreSQL's inserts go over the network and keep ctx.
func (s *Store) rowContext(ctx context.Context) context.Context {
	if s.dialect == sqliteDialect {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func insertAll(ctx, rowCtx context.Context, tx *sql.Tx, insertSQL string, alerts []protocol.Alert, receivedAt any) (int, error) {
	stmt, err := tx.PrepareContext(ctx, insertSQL)
	if err != nil {
		return 0, fmt.Errorf("prepare: %w", err)
	}
	defer stmt.Close()
	n := 0
	var buf []byte // one body buffer for the whole batch
	for i := range alerts {
		a := &alerts[i]
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if a.ID == "" {
			return 0, errors.New("alert without id (validate alerts with protocol.DecodeAlert first)")
		}
		if buf, err = appendBody(buf[:0], a); err != nil {
			return 0, fmt.Errorf("alert %s: encode: %w", a.ID, err)
		}
		added, err := insertOne(rowCtx, stmt, a, receivedAt, string(buf))
		if err != nil {
			return 0, fmt.Errorf("alert %s: %w", a.ID, err)
		}
		n += added
	}
	return n, nil
}

func insertOne(ctx context.Context, stmt *sql.Stmt, a *protocol.Alert, receivedAt any, body string) (int, error) {
	res, err := stmt.ExecContext(ctx, a.ID, a.AgentID, a.Series, nanosArg(a.Timestamp), receivedAt, body)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rows affected: %w", err)
	}
	return int(n), nil
}

// nanosArg is nullNanos as a plain driver value (nil or int64), which the
// driver binds without a round through driver.Valuer.
func nanosArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return unixNanos(t)
}

// appendBody appends a's body, the bytes json.Marshal(utcAlert(*a)) makes,
// without reflection: encoding each alert is a good part of ingest's cost.
// What it cannot encode (NaN, infinities, years past 9999) it leaves to
// json.Marshal, which fails as it always did.
func appendBody(b []byte, a *protocol.Alert) ([]byte, error) {
	e := bodyEncoder{b: b, ok: true}
	e.b = append(e.b, `{"v":`...)
	e.b = strconv.AppendInt(e.b, int64(a.Version), 10)
	e.str(`,"id":`, a.ID)
	e.str(`,"agent_id":`, a.AgentID)
	e.str(`,"series":`, a.Series)
	e.str(`,"metric":`, a.Metric)
	if len(a.Labels) > 0 {
		mapOf(&e, `,"labels":`, a.Labels, e.quote)
	}
	e.time(`,"timestamp":`, a.Timestamp)
	mapOf(&e, `,"values":`, a.Values, e.appendFloat)
	e.float(`,"score":`, a.Score)
	e.float(`,"threshold":`, a.Threshold)
	e.str(`,"severity":`, a.Severity)
	e.str(`,"detector":`, a.Detector)
	if a.ModelVersion != "" {
		e.str(`,"model_version":`, a.ModelVersion)
	}
	if len(a.Contributions) > 0 {
		mapOf(&e, `,"contributions":`, a.Contributions, e.appendFloat)
	}
	e.time(`,"detected_at":`, a.DetectedAt)
	if !e.ok {
		body, err := json.Marshal(utcAlert(*a))
		return append(b, body...), err
	}
	return append(e.b, '}'), nil
}

// bodyEncoder writes an alert's fields as encoding/json does. ok turns
// false at the first value it leaves to json.Marshal.
type bodyEncoder struct {
	b  []byte
	ok bool
}

func (e *bodyEncoder) str(key, s string) {
	e.b = append(e.b, key...)
	e.quote(s)
}

// quote is encoding/json's string encoder: quotes, backslashes and control
// characters escaped, and for HTML <, > and & too; invalid UTF-8 as U+FFFD;
// U+2028 and U+2029 escaped for JSONP.
func (e *bodyEncoder) quote(s string) {
	e.b = append(e.b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
				e.b = append(e.b, s[start:i]...)
				e.b = fmt.Appendf(e.b, `\u%04x`, r) // RuneError is U+FFFD
				start = i + size
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
			i++
			continue
		}
		e.b = append(e.b, s[start:i]...)
		switch c {
		case '"', '\\':
			e.b = append(e.b, '\\', c)
		case '\b':
			e.b = append(e.b, '\\', 'b')
		case '\f':
			e.b = append(e.b, '\\', 'f')
		case '\n':
			e.b = append(e.b, '\\', 'n')
		case '\r':
			e.b = append(e.b, '\\', 'r')
		case '\t':
			e.b = append(e.b, '\\', 't')
		default:
			e.b = fmt.Appendf(e.b, `\u%04x`, c)
		}
		i++
		start = i
	}
	e.b = append(e.b, s[start:]...)
	e.b = append(e.b, '"')
}

func (e *bodyEncoder) float(key string, f float64) {
	e.b = append(e.b, key...)
	e.appendFloat(f)
}

// appendFloat is encoding/json's float64 encoder.
func (e *bodyEncoder) appendFloat(f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		e.ok = false
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.b = strconv.AppendFloat(e.b, f, format, -1, 64)
	if n := len(e.b); format == 'e' && n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
		e.b[n-2] = e.b[n-1] // e-09 to e-9
		e.b = e.b[:n-1]
	}
}

func (e *bodyEncoder) time(key string, t time.Time) {
	e.b = append(e.b, key...)
	e.b = append(e.b, '"')
	b, err := t.UTC().AppendText(e.b)
	if err != nil { // a year past 9999 or before 0
		e.ok = false
		return
	}
	e.b = append(b, '"')
}

// mapOf writes m with its keys sorted, as encoding/json does; a nil map is
// null (labels and contributions, omitted when empty, never get here nil).
func mapOf[V any](e *bodyEncoder, key string, m map[string]V, value func(V)) {
	e.b = append(e.b, key...)
	if m == nil {
		e.b = append(e.b, "null"...)
		return
	}
	var stack [8]string // alerts have a few labels and fields
	keys := stack[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	sep := byte('{')
	for _, k := range keys {
		e.b = append(e.b, sep)
		sep = ','
		e.quote(k)
		e.b = append(e.b, ':')
		value(m[k])
	}
	if sep == '{' {
		e.b = append(e.b, '{')
	}
	e.b = append(e.b, '}')
}

// utcAlert puts a's times in UTC, so stored bodies and values read back
// compare equal however the sender's clock was zoned.
func utcAlert(a protocol.Alert) protocol.Alert {
	a.Timestamp = a.Timestamp.UTC()
	a.DetectedAt = a.DetectedAt.UTC()
	return a
}
