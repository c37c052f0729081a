package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPoliciesCommands: apply the example policies (the model they name
// uploaded first), read them back in tables and JSON, roll one back,
// delete them; bad files and arguments are refused.
func TestPoliciesCommands(t *testing.T) {
	srv := startControlPlane(t, nil) // edge-1, without labels
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	model := write("model.bin", "zscore state")
	example := filepath.Join("..", "..", "examples", "policies", "policy.yaml")
	cli := func(args ...string) result {
		return runCLI(t, 20*time.Second, map[string]string{"PYNOMALY_URL": srv.HTTPURL()}, args...)
	}
	expect := func(r result, want ...string) {
		t.Helper()
		checkResult(t, r, "", false)
		for _, w := range want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("output lacks %q:\n%s", w, r.stdout)
			}
		}
	}

	checkResult(t, cli("models", "upload", "--name", "pump-zscore", "--version", "3", "-f", model), "", false)
	expect(cli("policies", "apply", "-f", example, "--dry-run"), "policy fleet-defaults is valid and would reach 1 agents:",
		"edge-1  selector  detector,decision", "policy plant-a-pumps is valid and would reach 0 agents")
	expect(cli("policies", "apply", "-f", example),
		"policy fleet-defaults applied (revision 1): agents: 1 updated, 0 removed, 0 unchanged, 0 pinned, 0 failed",
		"policy plant-a-pumps applied (revision 1): agents: 0 updated")
	expect(cli("policies", "apply", "-f", example), "policy fleet-defaults unchanged (revision 1): agents: 0 updated, 0 removed, 1 unchanged")
	expect(cli("policies", "list"), "plant-a-pumps   100       site=plant-a,role in (pump)  inputs,decision,model:line-3",
		"fleet-defaults  0         *")
	expect(cli("policies", "get", "plant-a-pumps"), "model:       line-3 = pump-zscore/3", "pipeline:\ninputs:\n  - name: line-3")
	expect(cli("policies", "agents", "fleet-defaults"), "AGENT   VIA       SECTIONS           MODELS  PINNED", "edge-1  selector")
	expect(cli("desired", "get", "--agent", "edge-1"), "type: zscore")

	changed := write("changed.yaml", "name: fleet-defaults\nselector: \"*\"\npipeline:\n  detector: {type: hst}\n")
	expect(cli("policies", "apply", "-f", changed), "policy fleet-defaults applied (revision 2): agents: 1 updated")
	expect(cli("policies", "rollback", "fleet-defaults"), "policy fleet-defaults rolled back: revision 3 restores revision 1; agents: 1 updated")
	expect(cli("policies", "history", "fleet-defaults"), "3         ", "rollback to 1")
	r := cli("policies", "get", "fleet-defaults", "-o", "json")
	var p struct {
		Revision     int64 `json:"revision"`
		RestoredFrom int64 `json:"restored_from"`
	}
	if checkResult(t, r, "", false); json.Unmarshal([]byte(r.stdout), &p) != nil || p.Revision != 3 || p.RestoredFrom != 1 {
		t.Errorf("policies get -o json: %s", r.stdout)
	}
	expect(cli("policies", "delete", "fleet-defaults"), "policy fleet-defaults deleted; agents: 0 updated, 1 removed")
	checkResult(t, cli("desired", "get", "--agent", "edge-1"), "404 Not Found", false)

	for _, tc := range []struct {
		args  []string
		want  string
		usage bool
	}{
		{[]string{"policies", "apply"}, "-f policy.yaml is required", true},
		{[]string{"policies", "apply", "-f", write("typo.yaml", "name: p\nselecter: \"*\"\n")}, "line 2: field selecter not found", false},
		{[]string{"policies", "apply", "-f", write("noname.yaml", "selector: \"*\"\n")}, "name is required", false},
		{[]string{"policies", "apply", "-f", write("empty.yaml", "# nothing\n")}, "no policy in it", false},
		{[]string{"policies", "apply", "-f", write("section.yaml", "name: p\nselector: \"*\"\npipeline:\n  storage: {dir: /tmp}\n")},
			`400 Bad Request: pipeline line 1: unknown section "storage"`, false},
		{[]string{"policies", "apply", "-f", write("model.yaml", "name: p\nselector: \"*\"\nmodels: [{input: a, name: m, version: \"1\"}]\n")},
			"unknown model version: m/1", false},
		{[]string{"policies", "get"}, "give the policy's name: pynomaly policies get NAME", true},
		{[]string{"policies", "get", "nothing"}, "404 Not Found: policy nothing: not found", false},
		{[]string{"policies", "rollback", "plant-a-pumps"}, "no revision 0 to roll back to", false},
		{[]string{"policies", "list", "-o", "yaml"}, `-o "yaml": want table or json`, true},
	} {
		checkResult(t, cli(tc.args...), tc.want, tc.usage)
	}
}
