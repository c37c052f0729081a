package threshold_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/threshold"
)

func TestSnapshotContinuesIdentically(t *testing.T) {
	scores := expScores(4, 400, 1)
	scores[150], scores[151] = 1, 0.9999 // alarms straddling a cut
	for name, mk := range small(t) {
		t.Run(name, func(t *testing.T) {
			for _, cut := range []int{0, 1, 3, 10, 22, 23, 24, 150, 151, 399} {
				orig, restored := mk(), mk()
				observeAll(t, orig, scores[:cut])
				if err := restored.UnmarshalBinary(mustSnapshot(t, orig)); err != nil {
					t.Fatalf("cut %d: UnmarshalBinary: %v", cut, err)
				}
				for i := cut; i < len(scores); i++ {
					a, _ := orig.Observe(scores[i])
					b, _ := restored.Observe(scores[i])
					ta, tb := orig.Threshold(), restored.Threshold()
					if a != b || math.Float64bits(ta) != math.Float64bits(tb) {
						t.Fatalf("cut %d, score %d: original %v at %v, restored %v at %v", cut, i, a, ta, b, tb)
					}
				}
				if !bytes.Equal(mustSnapshot(t, orig), mustSnapshot(t, restored)) {
					t.Errorf("cut %d: snapshots differ at the end", cut)
				}
			}
		})
	}
}

func TestUnmarshalRejects(t *testing.T) {
	pols := small(t)
	snap := func(name string, n int) []byte {
		p := pols[name]()
		observeAll(t, p, expScores(8, n, 1))
		return mustSnapshot(t, p)
	}
	edit := func(b []byte, fn func(b []byte)) []byte { b = bytes.Clone(b); fn(b); return b }
	spot := snap("spot", 100)
	other := mustSnapshot(t, mustParse(t, "spot", map[string]string{"init": "30", "level": "0.8", "risk": "0.01"}))
	tests := []struct {
		policy string
		name   string
		data   []byte
		want   string
	}{
		{"fixed", "nil", nil, "fixed snapshot: 0 bytes, shorter than the 4-byte header"},
		{"fixed", "other threshold", mustSnapshot(t, mustParse(t, "fixed", map[string]string{"threshold": "0.8"})), "threshold 0.8, policy has 0.9"},
		{"fixed", "spot snapshot", spot, `magic "PTS", want "PTF"`},
		{"quantile", "future version", edit(snap("quantile", 5), func(b []byte) { b[3] = 2 }), "version 2, this build reads 1"},
		{"quantile", "truncated", snap("quantile", 5)[:100], "100 bytes, want 160 for window 16"},
		{"quantile", "bad position", edit(snap("quantile", 5), func(b []byte) { b[28] = 9 }), "ring position 9, want 5 after 5 scores"},
		{"quantile", "score above 1", edit(snap("quantile", 5), func(b []byte) { binary.LittleEndian.PutUint64(b[32:], math.Float64bits(1.5)) }), "ring slot 0 is 1.5, outside [0, 1]"},
		{"spot", "other init", other, "init 30, policy has 20"},
		{"spot", "short header", spot[:50], "shorter than the 77-byte header"},
		{"spot", "trailing byte", append(bytes.Clone(spot), 0), "bytes, want"},
		{"spot", "ready flag 2", edit(spot, func(b []byte) { b[32] = 2 }), "ready flag 2, want 0 or 1"},
		{"spot", "NaN t", edit(spot, func(b []byte) { binary.LittleEndian.PutUint64(b[33:], math.Float64bits(math.NaN())) }), "t NaN outside"},
		{"spot", "peak at future", edit(spot, func(b []byte) { binary.LittleEndian.PutUint64(b[len(b)-8:], 1<<40) }), "want (0, "},
		{"spot", "negative excess", edit(spot, func(b []byte) { binary.LittleEndian.PutUint64(b[len(b)-16:], math.Float64bits(-1)) }), "peak "},
		{"spot", "too many peaks", edit(spot, func(b []byte) { binary.LittleEndian.PutUint32(b[69:], 1<<30) }), "peaks at slot"},
		{"dspot", "window not full", edit(snap("dspot", 100), func(b []byte) { binary.LittleEndian.PutUint32(b[61:], 2) }), "drift window 2 values at slot"},
	}
	for _, tc := range tests {
		t.Run(tc.policy+"/"+tc.name, func(t *testing.T) {
			p := pols[tc.policy]()
			observeAll(t, p, expScores(2, 30, 1))
			before := mustSnapshot(t, p)
			err := p.UnmarshalBinary(tc.data)
			if !errors.Is(err, threshold.ErrBadSnapshot) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want ErrBadSnapshot containing %q", err, tc.want)
			}
			if !bytes.Equal(mustSnapshot(t, p), before) {
				t.Errorf("rejected snapshot changed the policy")
			}
		})
	}
}
