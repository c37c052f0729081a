package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAgentConfigErrors runs the real binary: bad configuration exits with
// status 2 and a message naming the file, line and key.
func TestAgentConfigErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "agent.yaml")
	if err := os.WriteFile(bad, []byte("agent:\n  id: x\ncontrol_plane:\n  url: nats://127.0.0.1:4222\ndecision:\n  treshold: 0.9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int // 2: bad usage or configuration, 1: runtime failure
		want     string
	}{
		{"unknown key", []string{"run", "--config", bad}, 2, bad + `:6: unknown key "treshold" (did you mean "threshold"?)`},
		{"missing config", []string{"run", "--config", filepath.Join(dir, "nope.yaml")}, 2, "nope.yaml: no such file or directory"},
		{"unknown flag", []string{"run", "--confg", bad}, 2, "flag provided but not defined: -confg"},
		{"missing input", []string{"detect", "--input", filepath.Join(dir, "nope.csv")}, 1, "nope.csv: no such file or directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command(agentBin, tc.args...).CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("want a non-zero exit, got %v\n%s", err, out)
			}
			if ee.ExitCode() != tc.wantCode {
				t.Errorf("exit status %d, want %d", ee.ExitCode(), tc.wantCode)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
			if strings.Contains(string(out), "panic") {
				t.Errorf("panic in output:\n%s", out)
			}
		})
	}
}
