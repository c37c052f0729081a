package main

import (
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// binDir holds the plugin binaries the tests build, once per test run.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "spike-plugin-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var builds struct {
	sync.Mutex
	done map[string]string
}

// binary builds the spike plugin (mode "") or testdata/badplugin in a mode
// and returns its path.
func binary(t testing.TB, mode string) string {
	t.Helper()
	builds.Lock()
	defer builds.Unlock()
	if p, ok := builds.done[mode]; ok {
		return p
	}
	out, args := filepath.Join(binDir, "spike"), []string{"."}
	if mode != "" {
		out, args = filepath.Join(binDir, "bad-"+mode), []string{"-ldflags", "-X main.mode=" + mode, "./testdata/badplugin"}
	}
	cmd := exec.Command("go", append([]string{"build", "-o", out}, args...)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %v: %v\n%s", args, err, msg)
	}
	if builds.done == nil {
		builds.done = make(map[string]string)
	}
	builds.done[mode] = out
	return out
}

// launch starts a plugin built by binary and kills it when the test ends.
func launch(t testing.TB, mode string) *sdk.Plugin {
	t.Helper()
	p, err := sdk.Launch(binary(t, mode), sdk.LaunchOptions{Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill) // Kill waits for go-plugin's goroutines, so none logs after the test
	return p
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// series is a reproducible univariate stream with a spike every 97 points.
func series(n int) [][]float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([][]float64, n)
	for i := range xs {
		v := 10 + math.Sin(float64(i)/20) + rng.NormFloat64()*0.1
		if i%97 == 96 {
			v += 5
		}
		xs[i] = []float64{v}
	}
	return xs
}

func newDetector(t testing.TB, f sdk.Factory) sdk.Detector {
	t.Helper()
	d, err := f.New(1)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func scoreAll(t testing.TB, d sdk.Detector, xs [][]float64) []float64 {
	t.Helper()
	out := make([]float64, len(xs))
	for i, x := range xs {
		s, err := d.Score(x)
		if err != nil {
			t.Fatalf("point %d: %v", i, err)
		}
		out[i] = s
	}
	return out
}
