package detectortest

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// MustScore scores x and fails tb on an error or a score outside [0, 1].
func MustScore(tb testing.TB, d sdk.Detector, x []float64) float64 {
	tb.Helper()
	s, err := d.Score(x)
	if err != nil {
		tb.Fatalf("Score(%v): %v", x, err)
	}
	if !(s >= 0 && s <= 1) {
		tb.Fatalf("Score(%v) = %v, outside [0, 1]", x, s)
	}
	return s
}

// ScoreAll scores xs in order with MustScore.
func ScoreAll(tb testing.TB, d sdk.Detector, xs [][]float64) []float64 {
	tb.Helper()
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = MustScore(tb, d, x)
	}
	return out
}

// MustSnapshot returns d's snapshot and fails tb on an error.
func MustSnapshot(tb testing.TB, d sdk.Detector) []byte {
	tb.Helper()
	b, err := d.MarshalBinary()
	if err != nil {
		tb.Fatalf("MarshalBinary: %v", err)
	}
	return b
}

// ReadmeParams returns the detector type and params of the example config
// in the README.md of the test's working directory, read line by line:
// enough for its two-level YAML.
func ReadmeParams(t *testing.T) (typ string, params map[string]string) {
	t.Helper()
	f, err := os.Open("README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	params = map[string]string{}
	inYAML, inParams := false, false
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := sc.Text()
		key, val, _ := strings.Cut(strings.TrimSpace(line), ":")
		val = strings.TrimSpace(val)
		switch {
		case line == "```yaml":
			inYAML = true
		case inYAML && line == "```":
			return typ, params
		case inYAML && key == "type":
			typ = val
		case inYAML && key == "params":
			inParams = true
		case inParams && strings.HasPrefix(line, "    "):
			params[key] = val
		}
	}
	t.Fatal("README.md has no ```yaml example")
	return "", nil
}

// MustScoreValue scores the one-feature sample x with MustScore.
func MustScoreValue(tb testing.TB, d sdk.Detector, x float64) float64 {
	tb.Helper()
	return MustScore(tb, d, []float64{x})
}

// ScoreValues scores one-feature samples in order with MustScoreValue.
func ScoreValues(tb testing.TB, d sdk.Detector, xs []float64) []float64 {
	tb.Helper()
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = MustScoreValue(tb, d, x)
	}
	return out
}
