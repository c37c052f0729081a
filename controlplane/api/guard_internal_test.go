package api

import (
	"strconv"
	"testing"
	"time"
)

// TestRateLimiterForgetsIdleClients: the limiter keeps only clients seen
// within a window, so a flood of addresses cannot grow it without bound,
// and a client it forgot starts with a full allowance, as it would anyway.
func TestRateLimiterForgetsIdleClients(t *testing.T) {
	r := newRateLimiter(RateLimit{Requests: 2, Window: time.Minute})
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 1000 {
		r.allow("10.0.0."+strconv.Itoa(i), t0)
	}
	if ok, _ := r.allow("a", t0); !ok {
		t.Fatal("first request refused")
	}
	r.allow("a", t0)
	ok, wait := r.allow("a", t0)
	if ok || wait != 30*time.Second {
		t.Errorf("third request in the same instant: ok %v, wait %v; want refused, 30s (2 per minute)", ok, wait)
	}
	if ok, _ := r.allow("a", t0.Add(30*time.Second)); !ok {
		t.Errorf("refused after its token came back")
	}
	r.allow("b", t0.Add(2*time.Minute))
	if len(r.clients) != 1 {
		t.Errorf("%d clients kept after a window of silence, want 1", len(r.clients))
	}
}
