package store_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

func TestListAlertsFilters(t *testing.T) {
	s, _ := openTestStore(t)
	sec := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }
	all := []protocol.Alert{
		newAlert("edge-1", "temperature", sec(0)),
		newAlert("edge-1", "pressure", sec(1)),
		newAlert("edge-2", "temperature", sec(2)),
		newAlert("edge-2", "pressure", sec(3)),
		newAlert("edge-1", "temperature", sec(4)),
		newAlert("edge-2", "temperature", sec(5)),
	}
	insert(t, s, all...)
	temp := all[0].Series
	tests := []struct {
		name string
		q    store.AlertQuery
		want []int // indexes into all, in result order
	}{
		{"no filter", store.AlertQuery{Order: "asc"}, []int{0, 1, 2, 3, 4, 5}},
		{"default order is newest first", store.AlertQuery{}, []int{5, 4, 3, 2, 1, 0}},
		{"agent", store.AlertQuery{AgentID: "edge-1", Order: "asc"}, []int{0, 1, 4}},
		{"agent desc", store.AlertQuery{AgentID: "edge-1", Order: "desc"}, []int{4, 1, 0}},
		{"unknown agent", store.AlertQuery{AgentID: "edge-9"}, nil},
		{"agent is exact, not prefix", store.AlertQuery{AgentID: "edge"}, nil},
		{"series", store.AlertQuery{Series: temp, Order: "asc"}, []int{0, 2, 4, 5}},
		{"agent and series", store.AlertQuery{AgentID: "edge-2", Series: all[1].Series}, []int{3}},
		{"from is inclusive", store.AlertQuery{From: sec(2), Order: "asc"}, []int{2, 3, 4, 5}},
		{"to is exclusive", store.AlertQuery{To: sec(2), Order: "asc"}, []int{0, 1}},
		{"from and to", store.AlertQuery{From: sec(1), To: sec(4), Order: "asc"}, []int{1, 2, 3}},
		{"from equals to", store.AlertQuery{From: sec(3), To: sec(3)}, nil},
		{"from one nanosecond late", store.AlertQuery{From: sec(0).Add(1), Order: "asc"}, []int{1, 2, 3, 4, 5}},
		{"to one nanosecond past", store.AlertQuery{To: sec(0).Add(1)}, []int{0}},
		{"from in another zone", store.AlertQuery{From: sec(4).UTC(), Order: "asc"}, []int{4, 5}},
		{"limit", store.AlertQuery{Limit: 2, Order: "asc"}, []int{0, 1}},
		{"order is case-insensitive", store.AlertQuery{Limit: 1, Order: "ASC"}, []int{0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.ListAlerts(t.Context(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{}
			for _, i := range tc.want {
				want = append(want, all[i].ID)
			}
			if got := storedIDs(page.Alerts); !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if page.Alerts == nil {
				t.Error("Alerts is nil, want an empty slice")
			}
			if (page.NextCursor == "") != (len(want) == 0) {
				t.Errorf("NextCursor = %q with %d alerts", page.NextCursor, len(want))
			}
		})
	}
}

func TestListAlertsRejects(t *testing.T) {
	s, _ := openTestStore(t)
	insert(t, s, seqAlerts("edge-1", 3, t0)...)
	page, err := s.ListAlerts(t.Context(), store.AlertQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	good := page.NextCursor
	tests := []struct {
		name    string
		q       store.AlertQuery
		wantErr error
	}{
		{"negative limit", store.AlertQuery{Limit: -1}, store.ErrBadQuery},
		{"unknown order", store.AlertQuery{Order: "newest"}, store.ErrBadQuery},
		{"from after to", store.AlertQuery{From: t0.Add(time.Second), To: t0}, store.ErrBadQuery},
		{"cursor not base64", store.AlertQuery{Cursor: "!!!"}, store.ErrBadCursor},
		{"cursor truncated", store.AlertQuery{Cursor: good[:len(good)-1]}, store.ErrBadCursor},
		{"cursor padded", store.AlertQuery{Cursor: good + "="}, store.ErrBadCursor},
		{"cursor edited", store.AlertQuery{Cursor: tamper(good)}, store.ErrBadCursor},
		{"cursor of another version", store.AlertQuery{Cursor: b64("v2:3")}, store.ErrBadCursor},
		{"cursor seq zero", store.AlertQuery{Cursor: b64("v1:0")}, store.ErrBadCursor},
		{"cursor seq negative", store.AlertQuery{Cursor: b64("v1:-3")}, store.ErrBadCursor},
		{"cursor seq not canonical", store.AlertQuery{Cursor: b64("v1:+3")}, store.ErrBadCursor},
		{"cursor seq overflows", store.AlertQuery{Cursor: b64("v1:99999999999999999999")}, store.ErrBadCursor},
		{"cursor raw seq", store.AlertQuery{Cursor: "3"}, store.ErrBadCursor},
		{"good cursor", store.AlertQuery{Cursor: good}, nil},
		{"good cursor past the end", store.AlertQuery{Cursor: b64("v1:999")}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.ListAlerts(t.Context(), tc.q)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("ListAlerts(%+v) error = %v, want %v", tc.q, err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "bad cursor") != (tc.wantErr == store.ErrBadCursor) {
				t.Errorf("error text %q does not say what was wrong", err)
			}
		})
	}
}

// tamper changes the cursor's first character to another valid base64url
// character.
func tamper(c string) string {
	if c[0] == 'A' {
		return "B" + c[1:]
	}
	return "A" + c[1:]
}
