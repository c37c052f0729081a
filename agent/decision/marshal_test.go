package decision_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/pynomaly/pynomaly/agent/decision"
)

// TestMarshalContinues cuts every observe case at every point, round-trips
// the state through bytes and checks the alerts are the uncut ones.
func TestMarshalContinues(t *testing.T) {
	for _, tc := range observeCases {
		t.Run(tc.name, func(t *testing.T) {
			for cut := range len(tc.scores) + 1 {
				var s decision.State
				got := raises(&s, tc.scores[:cut], tc.opts)
				var restored decision.State
				if err := restored.UnmarshalBinary(mustMarshal(t, &s)); err != nil {
					t.Fatalf("cut %d: UnmarshalBinary: %v", cut, err)
				}
				for _, i := range raises(&restored, tc.scores[cut:], tc.opts) {
					got = append(got, cut+i)
				}
				if !slices.Equal(got, tc.want) {
					t.Fatalf("cut %d: raised at %v, want %v", cut, got, tc.want)
				}
			}
		})
	}
}

func TestUnmarshalRejects(t *testing.T) {
	var firing decision.State
	firing.Observe(1, decision.Options{})
	good := mustMarshal(t, &firing)
	with := func(i int, v byte) []byte { b := bytes.Clone(good); b[i] = v; return b }
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"nil", nil, "0 bytes, want 12"},
		{"truncated", good[:11], "11 bytes, want 12"},
		{"trailing byte", append(bytes.Clone(good), 0), "13 bytes, want 12"},
		{"wrong magic", with(0, 'X'), `magic "XD", not a decision state`},
		{"future version", with(2, 2), "version 2, this build reads 1"},
		{"bad phase", with(3, 7), "phase 7, want 0 (idle) or 1 (firing)"},
		{"run overflows int", with(11, 0x80), fmt.Sprintf("run 9223372036854775808 exceeds %d", math.MaxInt)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s decision.State
			s.Observe(1, decision.Options{Consecutive: 3}) // idle with run 1
			before := mustMarshal(t, &s)
			err := s.UnmarshalBinary(tc.data)
			if !errors.Is(err, decision.ErrBadState) {
				t.Fatalf("error = %v, want ErrBadState", err)
			}
			if want := "decision state: " + tc.want + ": bad decision state"; err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
			if !bytes.Equal(mustMarshal(t, &s), before) {
				t.Errorf("rejected bytes changed the state")
			}
		})
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	var idle, firing decision.State
	firing.Observe(1, decision.Options{})
	f.Add(mustMarshal(f, &idle))
	f.Add(mustMarshal(f, &firing))
	f.Add([]byte("PD\x01\x02"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s decision.State
		if err := s.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, decision.ErrBadState) {
				t.Fatalf("error %v does not wrap ErrBadState", err)
			}
			return
		}
		if !bytes.Equal(mustMarshal(t, &s), data) {
			t.Fatal("accepted state does not marshal back to the same bytes")
		}
		s.Observe(1, decision.Options{})
	})
}

func mustMarshal(tb testing.TB, s *decision.State) []byte {
	tb.Helper()
	b, err := s.MarshalBinary()
	if err != nil {
		tb.Fatalf("MarshalBinary: %v", err)
	}
	return b
}
