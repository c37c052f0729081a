package spike_test

import (
	"errors"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/examples/spike/spike"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
)

func TestConformance(t *testing.T) {
	sdktest.Run(t, spike.Factory, sdktest.Options{})
}

func TestScores(t *testing.T) {
	d, _ := spike.Factory.New(1)
	for i := range 60 {
		v := 10 + float64(i%2)
		if s, err := d.Score([]float64{v}); err != nil || s < 0 || s > 0.5 {
			t.Fatalf("point %d (%v) of a steady series scored %v, %v", i, v, s, err)
		}
	}
	if s, _ := d.Score([]float64{30}); s < 0.99 {
		t.Errorf("a spike 20 above a series varying by 1 scored %v, want nearly 1", s)
	}
}

func TestBadSnapshots(t *testing.T) {
	d, _ := spike.Factory.New(1)
	good, _ := d.MarshalBinary()
	// The state's 24 bytes end the snapshot: N, Mean, Var.
	mean, vari := len(good)-16, len(good)-8
	tests := []struct {
		name string
		edit func(b []byte) []byte
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)-1] }},
		{"trailing byte", func(b []byte) []byte { return append(b, 0) }},
		{"other magic", func(b []byte) []byte { b[0] = 'X'; return b }},
		{"other detector", func(b []byte) []byte { b[len("PSDK1")] = 'S'; return b }},
		{"NaN mean", func(b []byte) []byte { copy(b[mean:], []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f}); return b }},
		{"negative variance", func(b []byte) []byte { b[vari+7] = 0x80; b[vari+6] = 0xf0; return b }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad := tc.edit(append([]byte(nil), good...))
			if err := d.UnmarshalBinary(bad); !errors.Is(err, sdk.ErrBadSnapshot) {
				t.Errorf("UnmarshalBinary(%x) = %v, want ErrBadSnapshot", bad, err)
			}
		})
	}
}
