package outbox_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pynomaly/pynomaly/agent/outbox"
)

// TestGroupCommit: commits from many goroutines at once all land, each
// producer's entries in its own order, and one producer's bad commit fails
// alone, leaving nothing of itself behind.
func TestGroupCommit(t *testing.T) {
	s := openStore(t, "")
	const producers, commits = 16, 50
	var wg sync.WaitGroup
	errs := make([]error, producers)
	for p := range producers {
		wg.Go(func() {
			for i := range commits {
				c := outbox.Commit{Entries: []outbox.Entry{{Kind: outbox.KindAlert, ID: fmt.Sprintf("p%02d-%03d", p, i), Payload: []byte("x")}},
					Input: fmt.Sprintf("in-%d", p), Position: outbox.Position{Offset: int64(i + 1)}}
				if p == 0 && i == 25 { // bad: an entry without an id
					c.Entries = append(c.Entries, outbox.Entry{Kind: outbox.KindAlert})
				}
				if err := s.Commit(c); err != nil {
					errs[p] = errors.Join(errs[p], fmt.Errorf("commit %d: %w", i, err))
				}
			}
		})
	}
	wg.Wait()
	for p, err := range errs {
		switch {
		case p == 0 && (err == nil || !strings.Contains(err.Error(), "commit 25: outbox commit: entry id length 0")):
			t.Errorf("producer 0: %v, want its commit 25 alone to fail", err)
		case p != 0 && err != nil:
			t.Errorf("producer %d: %v", p, err)
		}
	}
	es := mustPeek(t, s, producers*commits+10)
	if want := producers*commits - 1; len(es) != want || s.Depth() != int64(want) {
		t.Fatalf("%d entries, depth %d; want %d", len(es), s.Depth(), want)
	}
	last := map[string]string{}
	for _, e := range es {
		p := e.ID[:3]
		if e.ID <= last[p] {
			t.Fatalf("entry %s after %s: a producer's entries out of order", e.ID, last[p])
		}
		last[p] = e.ID
	}
	if slices.ContainsFunc(es, func(e outbox.Entry) bool { return e.ID == "p00-025" }) {
		t.Error("the failed commit's good entry was written")
	}
	for p := range producers {
		if pos, ok, err := s.Checkpoint(fmt.Sprintf("in-%d", p)); err != nil || !ok || pos.Offset != commits {
			t.Errorf("checkpoint of producer %d = %+v, %v, %v; want offset %d", p, pos, ok, err, commits)
		}
	}
}

func TestCommitAfterClose(t *testing.T) {
	s := openStore(t, "")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(outbox.Commit{Entries: entries("late", 1)}); !errors.Is(err, outbox.ErrClosed) {
		t.Errorf("Commit after Close = %v, want ErrClosed", err)
	}
}

// BenchmarkGroupCommit: producers commit one alert at a time, as many
// inputs each with a small batch do; "serial" is one producer, so every
// alert pays for its own fsync (the baseline), "parallel-N" has N at once,
// whose commits share fsyncs. Reports alerts/s.
func BenchmarkGroupCommit(b *testing.B) {
	for _, producers := range []int{1, 64, 256} {
		name := "serial"
		if producers > 1 {
			name = fmt.Sprintf("parallel-%d", producers)
		}
		b.Run(name, func(b *testing.B) {
			s := openStore(b, "")
			payload := []byte(strings.Repeat("a", 400)) // an alert's size
			var wg sync.WaitGroup
			per := max(1, b.N/producers)
			b.ResetTimer()
			for p := range producers {
				wg.Go(func() {
					for i := range per {
						e := outbox.Entry{Kind: outbox.KindAlert, ID: fmt.Sprintf("%02d-%09d", p, i), Payload: payload}
						if err := s.Commit(outbox.Commit{Entries: []outbox.Entry{e}}); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(per*producers)/b.Elapsed().Seconds(), "alerts/s")
		})
	}
}
