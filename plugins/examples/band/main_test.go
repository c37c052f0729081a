package main

import (
	"errors"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/sdk/sdktest"
)

// build compiles the plugin in package pkg (".": band) for this test.
func build(t *testing.T, pkg string) string {
	t.Helper()
	name := "band"
	if pkg != "." {
		name = filepath.Base(pkg)
	}
	bin := filepath.Join(t.TempDir(), name)
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

func launch(t *testing.T, bin string, params map[string]string) (*sdk.Plugin, error) {
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	p, err := sdk.Launch(bin, sdk.LaunchOptions{Logger: logger, Params: params})
	if err == nil {
		t.Cleanup(p.Kill)
	}
	return p, err
}

// TestParamsReachThePlugin: params given to Launch build the detector in
// the plugin process, which then scores as the same params do in process.
func TestParamsReachThePlugin(t *testing.T) {
	p, err := launch(t, build(t, "."), map[string]string{"low": "10", "high": "20"})
	if err != nil {
		t.Fatal(err)
	}
	sdktest.Run(t, p.Factory(), sdktest.Options{Points: 100})
	d, err := p.Factory().New(1)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 3)
	if _, err := d.ScoreBatch([][]float64{{15}, {21}, {9}}, out); err != nil || out[0] != 0 || out[1] < 0.999 || out[2] < 0.999 {
		t.Errorf("ScoreBatch(15, 21, 9) = %v, %v; want 0 inside [10, 20] and ≥ 0.999 outside", out, err)
	}
}

// TestBadParams: a plugin refusing its params fails Launch with
// ErrBadParams and the plugin's own reason; so does a plugin served
// without params (sdk.Serve) that is given some.
func TestBadParams(t *testing.T) {
	band := build(t, ".")
	for _, tc := range []struct {
		name, bin string
		params    map[string]string
		want      string
	}{
		{"none", band, nil, "params low and high are required"},
		{"inverted", band, map[string]string{"low": "5", "high": "1"}, "low 5 must be below high 1"},
		{"unknown", band, map[string]string{"low": "1", "high": "2", "width": "3"}, `unknown param "width" (known: high, low)`},
		{"plugin without params", build(t, "github.com/pynomaly/pynomaly/plugins/examples/spike"), map[string]string{"alpha": "0.1"}, "spike takes no params, got alpha"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := launch(t, tc.bin, tc.params)
			if !errors.Is(err, sdk.ErrBadParams) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.bin) {
				t.Fatalf("Launch = %v; want ErrBadParams naming %s and saying %q", err, tc.bin, tc.want)
			}
		})
	}
}

// TestHostParamsEnvIgnored: a ParamsEnv in the host's own environment does
// not leak into a plugin launched without params.
func TestHostParamsEnvIgnored(t *testing.T) {
	t.Setenv(sdk.ParamsEnv, `{"alpha":"0.1"}`)
	if _, err := launch(t, build(t, "github.com/pynomaly/pynomaly/plugins/examples/spike"), nil); err != nil {
		t.Fatalf("Launch without params, host env set: %v", err)
	}
}
