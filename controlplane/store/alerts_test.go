package store_test

import (
	"fmt"
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
