package ewma_test

import (
	"bufio"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/ewma"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func mustFactory(tb testing.TB, opts ewma.Options) *ewma.Factory {
	tb.Helper()
	f, err := ewma.New(opts)
	if err != nil {
		tb.Fatalf("New(%+v): %v", opts, err)
	}
	return f
}

func mustInstance(tb testing.TB, f *ewma.Factory) sdk.Detector {
	tb.Helper()
	d, err := f.New(1)
	if err != nil {
		tb.Fatalf("New(1): %v", err)
	}
	return d
}

func mustScore(tb testing.TB, d sdk.Detector, x float64) float64 {
	tb.Helper()
	s, err := d.Score([]float64{x})
	if err != nil {
		tb.Fatalf("Score(%v): %v", x, err)
	}
	if !(s >= 0 && s <= 1) {
		tb.Fatalf("Score(%v) = %v, outside [0, 1]", x, s)
	}
	return s
}

func scoreAll(tb testing.TB, d sdk.Detector, xs []float64) []float64 {
	tb.Helper()
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = mustScore(tb, d, x)
	}
	return out
}

func mustSnapshot(tb testing.TB, d sdk.Detector) []byte {
	tb.Helper()
	b, err := d.MarshalBinary()
	if err != nil {
		tb.Fatalf("MarshalBinary: %v", err)
	}
	return b
}

// noisy returns n draws from N(mean, sd²), the same for the same seed.
func noisy(seed uint64, n int, mean, sd float64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = mean + sd*r.NormFloat64()
	}
	return xs
}

// readmeParams returns the detector type and params of the README's example
// config, read line by line: enough for its two-level YAML.
func readmeParams(t *testing.T) (typ string, params map[string]string) {
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
