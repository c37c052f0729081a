package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// agentBin is the pynomaly-agent binary built for this run.
var agentBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pynomaly-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	agentBin = filepath.Join(dir, "pynomaly-agent")
	build := exec.Command("go", "build", "-race", "-o", agentBin, "github.com/pynomaly/pynomaly/cmd/pynomaly-agent")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build pynomaly-agent:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
