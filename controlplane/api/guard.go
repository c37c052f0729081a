package api

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// Defaults of the request guards, as the production guide sets them.
const (
	DefaultRateLimitRequests = 1000
	DefaultRateLimitWindow   = 60 * time.Second
	// DefaultMaxBodyBytes bounds a JSON request body; a desired pipeline,
	// the largest, is at most 256 KiB.
	DefaultMaxBodyBytes = 1 << 20
)

// RateLimit bounds each client to Requests per Window; Requests 0 turns
// limiting off.
type RateLimit struct {
	Requests int
	Window   time.Duration
}

// unlimited are the routes every probe and scraper calls on its own
// schedule; limiting them would fail a pod's probes under an API burst.
var unlimited = map[string]bool{"/health": true, "/ready": true, "/metrics": true}

// rateLimiter is a token bucket per client: Requests tokens, refilled
// evenly over Window, so a client may burst its whole allowance and is
// then held to the average rate.
type rateLimiter struct {
	limit  rate.Limit
	burst  int
	window time.Duration

	mu      sync.Mutex
	clients map[string]*clientBucket
	swept   time.Time
}

type clientBucket struct {
	l    *rate.Limiter
	seen time.Time
}

func newRateLimiter(rl RateLimit) *rateLimiter {
	return &rateLimiter{limit: rate.Limit(float64(rl.Requests) / rl.Window.Seconds()), burst: rl.Requests,
		window: rl.Window, clients: make(map[string]*clientBucket)}
}

// allow takes a token for client, or says how long until one is free.
func (r *rateLimiter) allow(client string, now time.Time) (bool, time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sweep(now)
	b, ok := r.clients[client]
	if !ok {
		b = &clientBucket{l: rate.NewLimiter(r.limit, r.burst)}
		r.clients[client] = b
	}
	b.seen = now
	if b.l.AllowN(now, 1) {
		return true, 0
	}
	res := b.l.ReserveN(now, 1)
	wait := res.DelayFrom(now)
	res.CancelAt(now)
	return false, wait
}

// sweep forgets clients idle for a whole window: their buckets are full
// again, so a new one is the same. It bounds memory by the clients seen
// in the last window or two, whatever addresses a flood brings.
func (r *rateLimiter) sweep(now time.Time) {
	if now.Sub(r.swept) < r.window {
		return
	}
	r.swept = now
	for k, b := range r.clients {
		if now.Sub(b.seen) >= r.window {
			delete(r.clients, k)
		}
	}
}

// rateLimit answers 429 with Retry-After to a client over its allowance.
// Clients are told apart by address (behind a proxy, the one named in
// X-Forwarded-For when the proxy is trusted, see Options.TrustedProxies).
func (h *handler) rateLimit(r *rateLimiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		if unlimited[c.FullPath()] {
			return
		}
		ok, wait := r.allow(c.ClientIP(), time.Now())
		if ok {
			return
		}
		secs := int(math.Ceil(wait.Seconds()))
		c.Header("Retry-After", strconv.Itoa(max(1, secs)))
		writeError(c, http.StatusTooManyRequests, "rate_limited",
			"too many requests: at most "+strconv.Itoa(r.burst)+" per "+r.window.String()+" per client; retry after "+strconv.Itoa(max(1, secs))+" s")
	}
}

// limitBody bounds every request body; a route with a larger bound of its
// own (model uploads) sets it itself.
func limitBody(n int64, exempt map[string]bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil && !exempt[c.FullPath()] {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
	}
}

// isTooLarge reports whether err is a body over its bound.
func isTooLarge(err error) bool {
	var tooBig *http.MaxBytesError
	return errors.As(err, &tooBig)
}

// corsFor allows browsers on origins to call the API, with credentials
// in the Authorization header. No origins: no CORS headers at all, so
// only same-origin pages (the dashboard) can. "*" alone allows any origin.
func corsFor(origins []string) (gin.HandlerFunc, error) {
	if err := ValidateOrigins(origins); err != nil {
		return nil, err
	}
	cfg := cors.Config{
		AllowOrigins:  origins,
		AllowMethods:  []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
		AllowHeaders:  []string{"Authorization", "Content-Type"},
		ExposeHeaders: []string{"Retry-After"},
		MaxAge:        10 * time.Minute,
	}
	if len(origins) == 1 && origins[0] == "*" {
		cfg.AllowOrigins, cfg.AllowAllOrigins = nil, true
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("cors: %w", err)
	}
	return cors.New(cfg), nil
}

// ValidateOrigins checks a CORS allow-list: each entry an origin as
// browsers send it (scheme://host[:port], no path), or "*" alone.
func ValidateOrigins(origins []string) error {
	for _, o := range origins {
		if o == "*" {
			if len(origins) > 1 {
				return errors.New(`cors: "*" allows every origin; give it alone or list origins`)
			}
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
			return fmt.Errorf("cors: origin %q: want scheme://host[:port], e.g. https://ops.example.com", o)
		}
	}
	return nil
}
