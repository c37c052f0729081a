package agent

import (
	"context"
	"time"
)

// pacer limits an input to rate rows per second (0 = unlimited), for
// replaying a recording in real time.
type pacer struct {
	rate  float64
	start time.Time
	rows  int
}

func newPacer(rate float64) *pacer { return &pacer{rate: rate, start: time.Now()} }

// batch returns how many rows to read next: about a tenth of a second's
// worth when paced, so results appear smoothly rather than in bursts.
func (p *pacer) batch(limit int) int {
	if p.rate <= 0 {
		return limit
	}
	return min(limit, max(1, int(p.rate/10)))
}

// wait sleeps until rows more rows are due.
func (p *pacer) wait(ctx context.Context, rows int) {
	if p.rate <= 0 {
		return
	}
	p.rows += rows
	due := p.start.Add(time.Duration(float64(p.rows) / p.rate * float64(time.Second)))
	if d := time.Until(due); d > 0 {
		sleep(ctx, d)
	}
}

// every calls f every d until ctx ends.
func every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}
