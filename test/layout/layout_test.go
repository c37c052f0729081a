// Package layout enforces DESIGN.md's dependency rules with `go list -deps`:
// agent/ and controlplane/ never import each other, protocol/ imports
// nothing of ours, plugins/ never reach into either runtime.
package layout

import (
	"os/exec"
	"strings"
	"testing"
)

func TestImportRules(t *testing.T) {
	mod := strings.TrimSpace(goList(t, "-m")[0])
	rules := []struct {
		pkgs    string
		allowed []string // module-internal prefixes the packages may depend on
	}{
		{"protocol", []string{"protocol"}},
		{"plugins/sdk", []string{"protocol", "plugins/sdk"}},
		{"plugins", []string{"protocol", "plugins"}},
		{"internal", []string{"protocol", "internal"}},
		{"agent", []string{"protocol", "plugins", "internal", "agent"}},
		{"controlplane", []string{"protocol", "plugins", "internal", "controlplane"}},
	}
	for _, r := range rules {
		t.Run(r.pkgs, func(t *testing.T) {
			// One line per package: its path, then every package it depends on.
			lines := goList(t, "-f", "{{.ImportPath}} {{join .Deps \" \"}}", mod+"/"+r.pkgs+"/...")
			if len(lines) == 0 {
				t.Fatalf("no packages under %s", r.pkgs)
			}
			for _, line := range lines {
				fields := strings.Fields(line)
				for _, dep := range fields[1:] {
					rel, ours := strings.CutPrefix(dep, mod+"/")
					if ours && !allowedDep(rel, r.allowed) {
						t.Errorf("%s depends on %s, which DESIGN.md's layout rules forbid", fields[0], dep)
					}
				}
			}
		})
	}
}

func allowedDep(rel string, allowed []string) bool {
	for _, a := range allowed {
		if rel == a || strings.HasPrefix(rel, a+"/") {
			return true
		}
	}
	return false
}

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}
