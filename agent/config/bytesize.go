package config

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ByteSize is a size in bytes, written in YAML as a number of bytes or
// with a unit: 512MiB, 1GiB, 100MB (KB, MB, GB are powers of 1000; KiB,
// MiB, GiB of 1024).
type ByteSize int64

var byteUnits = []struct {
	suffix string
	factor int64
}{ // longest suffixes first, so "MiB" is not read as "B"
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1},
}

// UnmarshalYAML parses a size, naming its line when it is not one.
func (b *ByteSize) UnmarshalYAML(node *yaml.Node) error {
	if err := b.UnmarshalText([]byte(node.Value)); err != nil {
		return fmt.Errorf("yaml: line %d: %v", node.Line, err)
	}
	return nil
}

// UnmarshalText parses a size such as "256MiB".
func (b *ByteSize) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	factor := int64(1)
	for _, u := range byteUnits {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, factor = strings.TrimSpace(rest), u.factor
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 || n*float64(factor) > 1<<62 {
		return fmt.Errorf("%q is not a size (a number of bytes, or with a unit: 512MiB, 1GiB, 100MB)", text)
	}
	*b = ByteSize(n * float64(factor))
	return nil
}

// String formats the size with the largest binary unit it is a whole
// multiple of.
func (b ByteSize) String() string {
	for _, u := range []struct {
		suffix string
		factor int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if b != 0 && int64(b)%u.factor == 0 {
			return fmt.Sprintf("%d%s", int64(b)/u.factor, u.suffix)
		}
	}
	return fmt.Sprintf("%dB", int64(b))
}
