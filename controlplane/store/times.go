package store

import (
	"database/sql"
	"math"
	"time"
)

// unixNanos is t as stored in a BIGINT column. UnixNano is undefined outside
// 1678..2262, so such times clamp to the int64 range: ordering and range
// filters stay right, and the alert body keeps the exact value.
func unixNanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// nullNanos is t as a nullable column value: NULL stands for the zero time,
// which would otherwise clamp and read back as 1677.
func nullNanos(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: unixNanos(t), Valid: true}
}

// fromNanos reverses nullNanos, in UTC.
func fromNanos(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(0, v.Int64).UTC()
}
