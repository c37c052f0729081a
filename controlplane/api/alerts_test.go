package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

func TestListAlertsFilters(t *testing.T) {
	a := newTestAPI(t, nil)
	seeded := seedAlerts(t, a.store)
	tempA := protocol.SeriesName("temp", map[string]string{"site": "a"})
	tests := []struct {
		name    string
		query   url.Values
		keep    func(i int, al protocol.Alert) bool
		asc     bool
		limit   int
		hasMore bool
	}{
		{name: "no filter, newest first", keep: func(int, protocol.Alert) bool { return true }},
		{name: "agent", query: url.Values{"agent": {"agent-2"}}, keep: func(_ int, al protocol.Alert) bool { return al.AgentID == "agent-2" }},
		{name: "series", query: url.Values{"series": {tempA}}, keep: func(_ int, al protocol.Alert) bool { return al.Series == tempA }},
		{name: "agent and series", query: url.Values{"agent": {"agent-1"}, "series": {tempA}},
			keep: func(_ int, al protocol.Alert) bool { return al.AgentID == "agent-1" && al.Series == tempA }},
		{name: "from inclusive", query: url.Values{"from": {t0.Add(5 * time.Minute).Format(time.RFC3339)}}, keep: func(i int, _ protocol.Alert) bool { return i >= 5 }},
		{name: "to exclusive", query: url.Values{"to": {t0.Add(2 * time.Minute).Format(time.RFC3339)}}, keep: func(i int, _ protocol.Alert) bool { return i < 2 }},
		{name: "from and to in another zone", query: url.Values{
			"from": {t0.Add(2 * time.Minute).In(time.FixedZone("", 3600)).Format(time.RFC3339)},
			"to":   {t0.Add(4 * time.Minute).Format(time.RFC3339Nano)}}, keep: func(i int, _ protocol.Alert) bool { return i == 2 || i == 3 }},
		{name: "ascending", query: url.Values{"order": {"asc"}}, asc: true, keep: func(int, protocol.Alert) bool { return true }},
		{name: "limit", query: url.Values{"limit": {"3"}}, limit: 3, hasMore: true, keep: func(int, protocol.Alert) bool { return true }},
		{name: "no match", query: url.Values{"agent": {"nobody"}}, keep: func(int, protocol.Alert) bool { return false }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for i, al := range seeded {
				if tc.keep(i, al) {
					want = append(want, al.ID)
				}
			}
			if !tc.asc {
				slices.Reverse(want)
			}
			if tc.limit > 0 {
				want = want[:tc.limit]
			}
			var page store.AlertPage
			if code := a.get(t, "/api/v1/alerts?"+tc.query.Encode(), &page); code != http.StatusOK {
				t.Fatalf("status %d", code)
			}
			if got := ids(page); !slices.Equal(got, want) {
				t.Errorf("ids = %v, want %v", got, want)
			}
			if page.Alerts == nil {
				t.Error(`"alerts" is null, want []`)
			}
			if page.HasMore != tc.hasMore {
				t.Errorf("has_more = %v, want %v", page.HasMore, tc.hasMore)
			}
		})
	}
}

func TestListAlertsPagination(t *testing.T) {
	a := newTestAPI(t, nil)
	seeded := seedAlerts(t, a.store)
	for _, order := range []string{"asc", "desc"} {
		t.Run(order, func(t *testing.T) {
			var want, got []string
			for _, al := range seeded {
				want = append(want, al.ID)
			}
			if order == "desc" {
				slices.Reverse(want)
			}
			q := url.Values{"limit": {"3"}, "order": {order}}
			for pages := 0; ; pages++ {
				if pages > len(seeded) {
					t.Fatal("pagination does not end")
				}
				var page store.AlertPage
				if code := a.get(t, "/api/v1/alerts?"+q.Encode(), &page); code != http.StatusOK {
					t.Fatalf("page %d: status %d", pages, code)
				}
				got = append(got, ids(page)...)
				if !page.HasMore {
					break
				}
				q.Set("cursor", page.NextCursor)
			}
			if !slices.Equal(got, want) {
				t.Errorf("pages gave %v, want %v", got, want)
			}
		})
	}
}

func TestListAlertsBadQuery(t *testing.T) {
	a := newTestAPI(t, nil)
	seedAlerts(t, a.store)
	tests := []struct{ query, wantInMessage string }{
		{"limit=0", "limit"},
		{"limit=abc", "limit"},
		{"limit=5000", "limit"},
		{"limit=-1", "limit"},
		{"order=up", "order"},
		{"from=yesterday", "from"},
		{"to=2025-13-01T00:00:00Z", "to"},
		{"cursor=garbage", "cursor"},
		{"from=2025-03-15T00:00:00Z&to=2025-03-14T00:00:00Z", "from"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			var body api.ErrorBody
			code := a.get(t, "/api/v1/alerts?"+tc.query, &body)
			if code != http.StatusBadRequest || body.Error.Code != "bad_request" {
				t.Fatalf("status %d, code %q; want 400 bad_request", code, body.Error.Code)
			}
			if !strings.Contains(body.Error.Message, tc.wantInMessage) {
				t.Errorf("message %q does not name %q", body.Error.Message, tc.wantInMessage)
			}
		})
	}
}

func ids(p store.AlertPage) []string {
	var out []string
	for _, a := range p.Alerts {
		out = append(out, a.ID)
	}
	return out
}
