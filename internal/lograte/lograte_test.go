package lograte

import (
	"testing"
	"time"
)

func TestAllow(t *testing.T) {
	l := New(time.Minute)
	now := time.Unix(0, 0)
	l.now = func() time.Time { return now }

	steps := []struct {
		advance        time.Duration
		key            string
		wantOK         bool
		wantSuppressed int
	}{
		{0, "a", true, 0},
		{time.Second, "a", false, 0},
		{time.Second, "a", false, 0},
		{0, "b", true, 0}, // keys are independent
		{time.Minute, "a", true, 2},
		{0, "a", false, 0},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		ok, n := l.Allow(s.key)
		if ok != s.wantOK || n != s.wantSuppressed {
			t.Fatalf("step %d: Allow(%q) = %v, %d; want %v, %d", i, s.key, ok, n, s.wantOK, s.wantSuppressed)
		}
	}
}
