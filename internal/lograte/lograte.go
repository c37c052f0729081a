// Package lograte keeps repetitive warnings (bad input, a flapping link)
// from flooding the log: one line per key per interval, with a count of the
// lines held back in between.
package lograte

import (
	"sync"
	"time"
)

// Limiter decides which log lines to let through. The zero value is not
// usable; create one with New. It is safe for concurrent use.
type Limiter struct {
	interval time.Duration
	now      func() time.Time

	mu         sync.Mutex
	last       map[string]time.Time
	suppressed map[string]int
}

// New returns a Limiter that lets one line per key through every interval.
func New(interval time.Duration) *Limiter {
	return &Limiter{
		interval:   interval,
		now:        time.Now,
		last:       make(map[string]time.Time),
		suppressed: make(map[string]int),
	}
}

// Allow reports whether a line for key may be logged now and, if so, how
// many lines for key were held back since the last one let through.
func (l *Limiter) Allow(key string) (ok bool, suppressed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if last, seen := l.last[key]; seen && now.Sub(last) < l.interval {
		l.suppressed[key]++
		return false, 0
	}
	l.last[key] = now
	n := l.suppressed[key]
	delete(l.suppressed, key)
	return true, n
}
