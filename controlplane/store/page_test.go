package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/store"
)

func TestPagination(t *testing.T) {
	tests := []struct {
		name      string
		n, limit  int
		order     string
		wantPages []int // page sizes
	}{
		{"250 by 100 asc", 250, 100, "asc", []int{100, 100, 50}},
		{"250 by 100 desc", 250, 100, "desc", []int{100, 100, 50}},
		{"200 by 100 has no empty last page", 200, 100, "asc", []int{100, 100}},
		{"default limit is 100", 150, 0, "", []int{100, 50}},
		{"limit clamps to 1000", 1001, 5000, "asc", []int{1000, 1}},
		{"empty store", 0, 10, "asc", []int{0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openTestStore(t)
			all := alertIDs(seqAlerts("edge-1", tc.n, t0))
			if tc.n > 0 {
				insert(t, s, seqAlerts("edge-1", tc.n, t0)...)
			}
			want := all
			if tc.order != "asc" {
				want = reversed(all)
			}
			got, sizes := walk(t, s, store.AlertQuery{Limit: tc.limit, Order: tc.order})
			if !slices.Equal(sizes, tc.wantPages) {
				t.Errorf("page sizes = %v, want %v", sizes, tc.wantPages)
			}
			if !slices.Equal(got, want) {
				t.Errorf("visited %d alerts, want each of %d exactly once in order", len(got), len(want))
			}
		})
	}
}

// walk follows NextCursor until HasMore is false, returning the ids seen and
// the size of each page.
func walk(t *testing.T, s *store.Store, q store.AlertQuery) (ids []string, sizes []int) {
	t.Helper()
	ids = []string{}
	for range 100 {
		page, err := s.ListAlerts(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, storedIDs(page.Alerts)...)
		sizes = append(sizes, len(page.Alerts))
		if !page.HasMore {
			return ids, sizes
		}
		q.Cursor = page.NextCursor
	}
	t.Fatal("pagination does not end")
	return nil, nil
}

func TestWatcherSeesEachNewAlertOnce(t *testing.T) {
	s, _ := openTestStore(t)
	batches := [][]string{}
	start := t0
	q := store.AlertQuery{Order: "asc", Limit: 7, AgentID: "edge-1"}
	var seen []string
	for round, n := range []int{10, 0, 3, 25, 1} {
		// Alerts of another agent interleave; the watcher's filter skips them.
		insert(t, s, seqAlerts("edge-2", 2, start)...)
		batch := seqAlerts("edge-1", n, start)
		if n > 0 {
			insert(t, s, batch...)
		}
		batches = append(batches, alertIDs(batch))
		start = start.Add(time.Hour)
		got := poll(t, s, &q)
		if !slices.Equal(got, alertIDs(batch)) {
			t.Fatalf("round %d: poll saw %v, want exactly the %d new alerts %v", round, got, n, alertIDs(batch))
		}
		seen = append(seen, got...)
	}
	if got := poll(t, s, &q); len(got) != 0 {
		t.Fatalf("idle poll saw %v, want nothing", got)
	}
	if want := slices.Concat(batches...); !slices.Equal(seen, want) {
		t.Fatalf("watcher saw %d alerts, want %d", len(seen), len(want))
	}
}

// poll drains what is new since q.Cursor the way an API watcher does,
// keeping the old cursor when a page comes back empty.
func poll(t *testing.T, s *store.Store, q *store.AlertQuery) []string {
	t.Helper()
	got := []string{}
	for {
		page, err := s.ListAlerts(t.Context(), *q)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, storedIDs(page.Alerts)...)
		if page.NextCursor != "" {
			q.Cursor = page.NextCursor
		}
		if !page.HasMore {
			return got
		}
	}
}

func FuzzListAlertsCursor(f *testing.F) {
	s, _ := openTestStore(f)
	insert(f, s, seqAlerts("edge-1", 3, t0)...)
	for _, c := range []string{"", "djE6MQ", "djE6Mw", "djE6MA", "djI6MQ", "!!", "djE6MQ=="} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		page, err := s.ListAlerts(t.Context(), store.AlertQuery{Cursor: cursor, Order: "asc"})
		if err != nil {
			if !errors.Is(err, store.ErrBadCursor) {
				t.Fatalf("cursor %q: error %v is not ErrBadCursor", cursor, err)
			}
			return
		}
		if len(page.Alerts) > 3 || page.Alerts == nil {
			t.Fatalf("cursor %q: page of %d alerts (nil %v)", cursor, len(page.Alerts), page.Alerts == nil)
		}
	})
}
