package detectortest_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// TestCheckUnmarshal plants one bug per case in a counter's UnmarshalBinary
// and checks that CheckUnmarshal fails saying why, and that it passes a
// correct counter both ways.
func TestCheckUnmarshal(t *testing.T) {
	good := snapshotOf(3)
	tests := []struct {
		name     string
		bug      bug
		data     []byte
		rejected bool   // CheckUnmarshal returns an error
		fails    string // the failure it reports; "" for none
	}{
		{name: "accepts a good snapshot", data: good},
		{name: "rejects a bad one", data: good[:5], rejected: true},
		{name: "rejects nil", data: nil, rejected: true},
		{name: "error without ErrBadSnapshot", bug: bugPlainError, data: good[:5], fails: "does not wrap sdk.ErrBadSnapshot"},
		{name: "rejection half-applied", bug: bugChangesOnReject, data: append([]byte("X"), good[1:]...), fails: "rejected snapshot changed the instance"},
		{name: "trailing bytes ignored", bug: bugIgnoresTrailing, data: append(snapshotOf(4), 0), fails: "accepted snapshot does not marshal back to the same bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			fails := record(func(tb testing.TB) {
				err = detectortest.CheckUnmarshal(tb, &counter{n: 1, bug: tc.bug}, tc.data)
			})
			if tc.fails == "" {
				if len(fails) > 0 || (err != nil) != tc.rejected {
					t.Fatalf("CheckUnmarshal = %v with failures %q, want rejected %v and no failures", err, fails, tc.rejected)
				}
				return
			}
			if !slices.ContainsFunc(fails, func(m string) bool { return strings.Contains(m, tc.fails) }) {
				t.Errorf("failures %q, want one saying %q", fails, tc.fails)
			}
		})
	}
}

// record runs fn with a fake testing.TB and returns what it failed with.
// fn runs on its own goroutine so that Fatalf can end it with Goexit, as
// testing does.
func record(fn func(tb testing.TB)) []string {
	tb := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(tb)
	}()
	<-done
	return tb.fails
}

// fakeTB records failures instead of failing the test. Its embedded
// testing.TB is nil, so a helper calling anything else panics.
type fakeTB struct {
	testing.TB
	fails []string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.fails = append(f.fails, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}

type bug int

const (
	bugNone bug = iota
	bugPlainError
	bugChangesOnReject
	bugIgnoresTrailing
)

// counter is a detector whose state is how many points it scored, kept as
// 'C' and a little-endian uint64.
type counter struct {
	n   uint64
	bug bug
}

func snapshotOf(n uint64) []byte { return binary.LittleEndian.AppendUint64([]byte("C"), n) }

func (c *counter) Score([]float64) (float64, error) { c.n++; return 0, nil }

func (c *counter) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	c.n += uint64(len(xs))
	clear(out[:len(xs)])
	return len(xs), nil
}

func (c *counter) MarshalBinary() ([]byte, error) { return snapshotOf(c.n), nil }

func (c *counter) UnmarshalBinary(data []byte) error {
	if c.bug == bugChangesOnReject && len(data) >= 9 {
		c.n = binary.LittleEndian.Uint64(data[1:])
	}
	ok := len(data) == 9 || c.bug == bugIgnoresTrailing && len(data) > 9
	if !ok || data[0] != 'C' {
		if c.bug == bugPlainError {
			return errors.New("counter snapshot: malformed")
		}
		return fmt.Errorf("counter snapshot: %d bytes, want 9 starting C: %w", len(data), sdk.ErrBadSnapshot)
	}
	c.n = binary.LittleEndian.Uint64(data[1:])
	return nil
}
