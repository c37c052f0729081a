package config_test

import (
	"testing"

	"github.com/pynomaly/pynomaly/agent/config"
)

func TestByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want config.ByteSize
		str  string
	}{
		{"0", 0, "0B"}, {"1048576", 1 << 20, "1MiB"}, {"256MiB", 256 << 20, "256MiB"}, {"1.5 GiB", 3 << 29, "1536MiB"},
		{"100MB", 100e6, "100000000B"}, {"2KiB", 2048, "2KiB"}, {"512B", 512, "512B"}, {"1TiB", 1 << 40, "1TiB"},
	}
	for _, tc := range tests {
		var b config.ByteSize
		if err := b.UnmarshalText([]byte(tc.in)); err != nil || b != tc.want || b.String() != tc.str {
			t.Errorf("%q: %d (%s), %v; want %d (%s)", tc.in, b, b, err, tc.want, tc.str)
		}
	}
	for _, bad := range []string{"", "lots", "-1MiB", "MiB", "1 PiB", "1e30GiB"} {
		var b config.ByteSize
		if err := b.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("%q: no error, got %d", bad, b)
		}
	}
}
