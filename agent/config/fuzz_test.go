package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/config"
)

// FuzzParse feeds arbitrary YAML to Parse and Validate: they may reject it
// but must not panic, and Parse's errors name the file.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := config.Parse("agent.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "agent.yaml:") {
				t.Errorf("error %q does not start with the file name", err)
			}
			return
		}
		_ = cfg.Validate()
	})
}
