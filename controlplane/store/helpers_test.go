package store_test

import (
	"encoding/base64"
	"path/filepath"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

// t0 is a sample time with nanoseconds and a non-UTC zone, so that tests
// notice both a lost nanosecond and a zone that leaks through.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("CET", 3600))

// newDSN returns a fresh, empty database for one test: a SQLite file in a
// temporary directory or, with PYNOMALY_TEST_DATABASE_URL set (`make
// test-postgres`), a new schema in that PostgreSQL database.
func newDSN(t testing.TB) string {
	t.Helper()
	if dsn := testkit.PostgresDSN(t); dsn != "" {
		return dsn
	}
	return filepath.Join(t.TempDir(), "cp.db")
}

// openTestStore opens a store on a fresh database (see newDSN) and closes
// it when the test ends. It returns the store and its dsn.
func openTestStore(t testing.TB) (*store.Store, string) {
	t.Helper()
	dsn := newDSN(t)
	s, err := store.Open(t.Context(), dsn, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, dsn
}

// newAlert builds a valid alert whose id follows from its fields.
func newAlert(agent, metric string, ts time.Time) protocol.Alert {
	labels := map[string]string{"device": "pump-1"}
	series := protocol.SeriesName(metric, labels)
	return protocol.Alert{
		Version:    protocol.AlertVersion,
		ID:         protocol.AlertID(agent, series, "zscore", ts),
		AgentID:    agent,
		Series:     series,
		Metric:     metric,
		Labels:     labels,
		Timestamp:  ts,
		Values:     map[string]float64{"value": 42.5},
		Score:      0.97,
		Threshold:  0.9,
		Severity:   protocol.SeverityWarning,
		Detector:   "zscore",
		DetectedAt: ts.Add(time.Millisecond),
	}
}

// seqAlerts builds n alerts from one agent and metric, one second apart
// starting at start.
func seqAlerts(agent string, n int, start time.Time) []protocol.Alert {
	out := make([]protocol.Alert, n)
	for i := range out {
		out[i] = newAlert(agent, "temperature", start.Add(time.Duration(i)*time.Second))
	}
	return out
}

// insert stores alerts and fails the test on error.
func insert(t testing.TB, s *store.Store, alerts ...protocol.Alert) int {
	t.Helper()
	n, err := s.InsertAlerts(t.Context(), alerts, t0)
	if err != nil {
		t.Fatalf("InsertAlerts: %v", err)
	}
	return n
}

func alertIDs(as []protocol.Alert) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func storedIDs(as []store.StoredAlert) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func reversed(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[len(xs)-1-i] = x
	}
	return out
}

// b64 hand-crafts a cursor the way the store encodes one, to test which
// payloads it refuses.
func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
