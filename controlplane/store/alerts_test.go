package store_test

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

func TestInsertAlertsIdempotent(t *testing.T) {
	a := seqAlerts("edge-1", 5, t0)
	tests := []struct {
		name      string
		batches   [][]protocol.Alert
		wantNew   []int
		wantTotal []string // ids in insertion order
	}{
		{"one batch", [][]protocol.Alert{a[:3]}, []int{3}, alertIDs(a[:3])},
		{"same batch twice", [][]protocol.Alert{a[:3], a[:3]}, []int{3, 0}, alertIDs(a[:3])},
		{"new and known mixed", [][]protocol.Alert{a[:3], a[1:5]}, []int{3, 2}, alertIDs(a)},
		{"duplicate inside a batch", [][]protocol.Alert{{a[0], a[1], a[0]}}, []int{2}, alertIDs(a[:2])},
		{"empty batch", [][]protocol.Alert{nil}, []int{0}, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openTestStore(t)
			for i, batch := range tc.batches {
				if n := insert(t, s, batch...); n != tc.wantNew[i] {
					t.Errorf("batch %d: inserted = %d, want %d", i, n, tc.wantNew[i])
				}
			}
			page, err := s.ListAlerts(t.Context(), store.AlertQuery{Order: "asc"})
			if err != nil {
				t.Fatal(err)
			}
			if got := storedIDs(page.Alerts); !slices.Equal(got, tc.wantTotal) {
				t.Errorf("stored ids = %v, want %v", got, tc.wantTotal)
			}
		})
	}
}

func TestInsertAlertsRejectsMissingID(t *testing.T) {
	s, _ := openTestStore(t)
	good := newAlert("edge-1", "temperature", t0)
	bad := good
	bad.ID = ""
	if _, err := s.InsertAlerts(t.Context(), []protocol.Alert{good, bad}, t0); err == nil {
		t.Fatal("InsertAlerts with an empty id succeeded")
	}
	page, err := s.ListAlerts(t.Context(), store.AlertQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Alerts) != 0 {
		t.Fatalf("a failed batch left %d rows behind, want 0 (one transaction)", len(page.Alerts))
	}
}

func TestAlertRoundTrip(t *testing.T) {
	s, _ := openTestStore(t)
	in := newAlert("edge-1", "temperature", t0)
	in.ModelVersion = "m-3"
	in.Contributions = map[string]float64{"value": 1}
	received := time.Date(2025, 3, 14, 16, 0, 0, 123456789, time.FixedZone("X", -7200))
	if _, err := s.InsertAlerts(t.Context(), []protocol.Alert{in}, received); err != nil {
		t.Fatal(err)
	}
	page, err := s.ListAlerts(t.Context(), store.AlertQuery{})
	if err != nil || len(page.Alerts) != 1 {
		t.Fatalf("ListAlerts = %d alerts, %v; want 1", len(page.Alerts), err)
	}
	got := page.Alerts[0]
	want := in
	want.Timestamp, want.DetectedAt = in.Timestamp.UTC(), in.DetectedAt.UTC()
	if !reflect.DeepEqual(got.Alert, want) {
		t.Errorf("alert round trip:\n got %+v\nwant %+v", got.Alert, want)
	}
	if !got.ReceivedAt.Equal(received) || got.ReceivedAt.Location() != time.UTC {
		t.Errorf("ReceivedAt = %v, want %v in UTC", got.ReceivedAt, received.UTC())
	}
}

func TestConcurrentInserts(t *testing.T) {
	s, _ := openTestStore(t)
	const workers, batches, size = 4, 20, 25
	// Workers overlap pairwise: worker w writes the ids of agent w/2, so
	// half the inserts race with an identical insert from a sibling.
	var wg sync.WaitGroup
	total := make([]int, workers)
	for w := range workers {
		wg.Go(func() {
			agent := fmt.Sprintf("edge-%d", w/2)
			for b := range batches {
				start := t0.Add(time.Duration(b*size) * time.Second)
				n, err := s.InsertAlerts(t.Context(), seqAlerts(agent, size, start), time.Now())
				if err != nil {
					t.Errorf("worker %d batch %d: %v", w, b, err)
					return
				}
				total[w] += n
			}
		})
	}
	wg.Wait()
	want := workers / 2 * batches * size
	if got := sum(total); got != want {
		t.Errorf("inserted rows reported = %d, want %d", got, want)
	}
	page, err := s.ListAlerts(t.Context(), store.AlertQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Alerts) != want || page.HasMore {
		t.Errorf("stored %d alerts (has_more %v), want %d", len(page.Alerts), page.HasMore, want)
	}
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// TestAlertBodyIsJSON: the store writes each alert's body itself, without
// encoding/json on the usual path; the bytes must be json.Marshal's, and an
// alert json.Marshal cannot encode must fail the batch as it did.
func TestAlertBodyIsJSON(t *testing.T) {
	base := newAlert("edge-1", "temperature", t0)
	tests := []struct {
		name   string
		change func(a *protocol.Alert)
	}{
		{"as agents send it", func(*protocol.Alert) {}},
		{"several labels, values and contributions", func(a *protocol.Alert) {
			a.Labels = map[string]string{"site": "plant-a", "line": "line-2", "device": "pump-7", "a": ""}
			a.Values = map[string]float64{"z": 2.9, "x": 0.12, "y": -0.31}
			a.Contributions = map[string]float64{"z": 0.89, "x": 0.04, "y": 0.07}
			a.ModelVersion = "m-3"
		}},
		{"empty and nil maps", func(a *protocol.Alert) {
			a.Labels, a.Values, a.Contributions = map[string]string{}, nil, map[string]float64{}
		}},
		{"empty values", func(a *protocol.Alert) { a.Values = map[string]float64{} }},
		{"strings that need escapes", func(a *protocol.Alert) {
			a.Metric = "t\"em<p>&\\\n\x01\u2028é\xff"
			a.Labels = map[string]string{"k\tey": "<v>", "ünï": "cödé"}
			a.Severity = "a&b"
		}},
		{"floats in every format", func(a *protocol.Alert) {
			a.Values = map[string]float64{"tiny": 1e-7, "small": 1e-6, "big": 1e21, "below": 9.99e20,
				"neg": -1.5e-300, "zero": 0, "negzero": math.Copysign(0, -1), "max": math.MaxFloat64, "int": 42}
			a.Score, a.Threshold = 5e-324, 123456789.125
		}},
		{"zoned and zero times", func(a *protocol.Alert) {
			a.Timestamp = time.Date(2262, 4, 11, 23, 47, 16, 854775807, time.FixedZone("X", -23*3600))
			a.DetectedAt = time.Time{}
		}},
		{"times at the edges of RFC 3339", func(a *protocol.Alert) {
			a.Timestamp = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
			a.DetectedAt = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
		}},
		{"NaN value", func(a *protocol.Alert) { a.Values = map[string]float64{"value": math.NaN()} }},
		{"infinite score", func(a *protocol.Alert) { a.Score = math.Inf(1) }},
		{"infinite contribution", func(a *protocol.Alert) { a.Contributions = map[string]float64{"x": math.Inf(-1)} }},
		{"year past 9999", func(a *protocol.Alert) { a.DetectedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"year before 0", func(a *protocol.Alert) { a.Timestamp = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) }},
	}
	s, dsn := openTestStore(t)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := base
			a.ID = fmt.Sprintf("body-%d", i)
			tc.change(&a)
			checkBody(t, s, dsn, a)
		})
	}
}

// FuzzAlertBody compares the stored body with json.Marshal's for alerts
// made of arbitrary strings, numbers and times.
func FuzzAlertBody(f *testing.F) {
	f.Add("temperature", "pump-1", "critical", 0.97, 1e-7, int64(1741961366), int64(535897932), 3600)
	f.Add("t\"<>&\\\x00é\xff", "", "\u2029", -0.0, 1e21, int64(-62135596800), int64(0), -82800)
	s, dsn := openTestStore(f)
	n := 0
	f.Fuzz(func(t *testing.T, metric, label, severity string, value, score float64, sec, nsec int64, offset int) {
		n++
		a := newAlert("edge-1", "temperature", time.Unix(sec, nsec).In(time.FixedZone("Z", offset%(24*3600))))
		a.ID, a.Metric, a.Severity = fmt.Sprintf("fuzz-%d", n), metric, severity
		a.Labels = map[string]string{label: metric, "site": label}
		a.Values = map[string]float64{label: value, "value": score}
		a.Score = score
		checkBody(t, s, dsn, a)
	})
}

// checkBody inserts a and checks its stored body against json.Marshal's,
// or that InsertAlerts failed if json.Marshal does.
func checkBody(t *testing.T, s *store.Store, dsn string, a protocol.Alert) {
	t.Helper()
	utc := a
	utc.Timestamp, utc.DetectedAt = a.Timestamp.UTC(), a.DetectedAt.UTC()
	want, wantErr := json.Marshal(utc)
	_, err := s.InsertAlerts(t.Context(), []protocol.Alert{a}, t0)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("InsertAlerts: %v; json.Marshal: %v", err, wantErr)
	}
	if err != nil {
		return
	}
	db, err := store.RawDB(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got string
	if err := db.QueryRowContext(t.Context(), "SELECT body FROM alerts ORDER BY seq DESC LIMIT 1").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("stored body\n %s\nwant json.Marshal's\n %s", got, want)
	}
}

// TestSQLiteWriterSettings: the settings the writer's speed depends on
// (see dsnParams) are those of every connection, alongside the ones
// durability depends on.
func TestSQLiteWriterSettings(t *testing.T) {
	_, dsn := openTestStore(t)
	if store.IsPostgresURL(dsn) {
		t.Skip("SQLite settings")
	}
	db, err := store.RawDB(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for pragma, want := range map[string]string{
		"cache_size": "-32768", "wal_autocheckpoint": "10000", "journal_mode": "wal", "synchronous": "2",
	} {
		var got string
		if err := db.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
}
