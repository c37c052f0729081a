package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/policy"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

// policyFile is one policy in a policy.yaml (see
// examples/policies/policy.yaml). Its pipeline is written as YAML
// sections, or as a string holding them.
type policyFile struct {
	Name        string              `yaml:"name"`
	Description string              `yaml:"description"`
	Selector    string              `yaml:"selector"`
	Priority    int                 `yaml:"priority"`
	Pipeline    yaml.Node           `yaml:"pipeline"`
	Models      []store.PolicyModel `yaml:"models"`
}

// readPolicies reads the policies of a file, one per YAML document,
// strictly: an unknown key is an error naming its line.
func readPolicies(name string, r io.Reader) ([]api.PolicyRequest, error) {
	dec := yaml.NewDecoder(io.LimitReader(r, 4<<20))
	dec.KnownFields(true)
	var out []api.PolicyRequest
	for {
		var f policyFile
		if err := dec.Decode(&f); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		req, err := f.request()
		if err != nil {
			return nil, fmt.Errorf("%s: policy %q: %w", name, f.Name, err)
		}
		out = append(out, req)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no policy in it", name)
	}
	return out, nil
}

func (f policyFile) request() (api.PolicyRequest, error) {
	req := api.PolicyRequest{Name: f.Name, Description: f.Description, Selector: f.Selector, Priority: f.Priority, Models: f.Models}
	if f.Name == "" {
		return req, errors.New("name is required")
	}
	switch n := f.Pipeline; {
	case n.Kind == 0:
	case n.Kind == yaml.ScalarNode && n.Tag == "!!str":
		req.Pipeline = n.Value
	case n.Kind == yaml.MappingNode:
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(&n); err != nil {
			return req, fmt.Errorf("pipeline: %w", err)
		}
		req.Pipeline = b.String()
	default:
		return req, fmt.Errorf("line %d: pipeline must be a mapping of sections (inputs, detector, decision)", n.Line)
	}
	return req, nil
}

func policyPath(name string, more ...string) string {
	return "/api/v1/policies/" + url.PathEscape(name) + strings.Join(more, "")
}

func policiesApply(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	var (
		file string
		dry  bool
	)
	c, output, err := adminCommand("policies apply", args, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&file, "f", "", "policy file: one policy per YAML document (- for stdin) (required)")
		fs.BoolVar(&dry, "dry-run", false, "check the policies and list the agents each would reach, changing nothing")
	})
	if err != nil {
		return err
	}
	ps, err := openPolicies(file)
	if err != nil {
		return err
	}
	failed := 0
	for _, p := range ps {
		n, err := applyOne(ctx, c, p, dry, output, stdout)
		if err != nil {
			return err
		}
		failed += n
	}
	if failed > 0 {
		return fmt.Errorf("%d agents' desired states were not rendered; apply again to retry", failed)
	}
	return nil
}

func openPolicies(file string) ([]api.PolicyRequest, error) {
	switch file {
	case "":
		return nil, usageError{errors.New("-f policy.yaml is required")}
	case "-":
		return readPolicies("stdin", os.Stdin)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	return readPolicies(file, f)
}

// applyOne applies (or previews) one policy and prints what happened; it
// returns how many agents failed.
func applyOne(ctx context.Context, c *client, p api.PolicyRequest, dry bool, output string, stdout io.Writer) (int, error) {
	path := policyPath(p.Name)
	if dry {
		var pv api.PolicyPreview
		if err := c.do(ctx, "PUT", path+"?dry_run=true", "application/json", jsonBody(p), &pv); err != nil {
			return 0, fmt.Errorf("policy %s: %w", p.Name, err)
		}
		if output == "json" {
			return 0, writeJSON(stdout, pv)
		}
		fmt.Fprintf(stdout, "policy %s is valid and would reach %d agents:\n", p.Name, len(pv.Agents))
		return 0, matchTable(stdout, pv.Agents)
	}
	var res policy.Result
	if err := c.do(ctx, "PUT", path, "application/json", jsonBody(p), &res); err != nil {
		return 0, fmt.Errorf("policy %s: %w", p.Name, err)
	}
	if output == "json" {
		return len(res.Agents.Failed), writeJSON(stdout, res)
	}
	verb := "applied"
	if !res.Changed {
		verb = "unchanged"
	}
	fmt.Fprintf(stdout, "policy %s %s (revision %d): %s\n", p.Name, verb, res.Policy.Revision, reportLine(res.Agents))
	printReport(stdout, res.Agents)
	return len(res.Agents.Failed), nil
}

func reportLine(r policy.Report) string {
	return fmt.Sprintf("agents: %d updated, %d removed, %d unchanged, %d pinned, %d failed",
		r.Updated, r.Removed, r.Unchanged, len(r.Pinned), len(r.Failed))
}

func printReport(w io.Writer, r policy.Report) {
	for _, id := range r.Pinned {
		fmt.Fprintf(w, "  pinned: %s has a desired state set by hand (pynomaly desired delete --agent %s gives it to its policies)\n", id, id)
	}
	for _, f := range r.Failed {
		fmt.Fprintf(w, "  failed: %s: %s\n", f.AgentID, f.Error)
	}
}

func matchTable(w io.Writer, ms []policy.Match) error {
	var rows [][]string
	for _, m := range ms {
		rows = append(rows, []string{m.AgentID, m.Via, orDash(strings.Join(m.Sections, ",")), orDash(strings.Join(m.Models, ",")),
			strconv.FormatBool(m.Pinned), m.Error})
	}
	return table(w, "AGENT\tVIA\tSECTIONS\tMODELS\tPINNED\tERROR", rows)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// policyCommand parses a command that takes a policy's name first, then
// its flags.
func policyCommand(name string, args []string, env getenv, stderr io.Writer, more func(*flag.FlagSet)) (*client, string, string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			_, _, err := adminCommand(name, args, env, stderr, more)
			return nil, "", "", err
		}
		return nil, "", "", usageError{fmt.Errorf("give the policy's name: pynomaly %s NAME", name)}
	}
	c, output, err := adminCommand(name, args[1:], env, stderr, more)
	return c, args[0], output, err
}

func policiesList(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	c, output, err := adminCommand("policies list", args, env, stderr, nil)
	if err != nil {
		return err
	}
	var body struct {
		Policies []store.Policy `json:"policies"`
	}
	if err := c.get(ctx, "/api/v1/policies", nil, &body); err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(stdout, body)
	}
	return policyTable(stdout, body.Policies)
}

func policyTable(w io.Writer, ps []store.Policy) error {
	var rows [][]string
	for _, p := range ps {
		sel := p.Selector
		if sel == "" {
			sel = "(token only)"
		}
		rows = append(rows, []string{p.Name, strconv.Itoa(p.Priority), sel, sectionsOf(p), strconv.FormatInt(p.Revision, 10),
			stamp(p.UpdatedAt), p.UpdatedBy})
	}
	return table(w, "NAME\tPRIORITY\tSELECTOR\tSETS\tREVISION\tUPDATED\tBY", rows)
}

// sectionsOf names what a policy sets, for tables: its pipeline's
// sections and its models' inputs.
func sectionsOf(p store.Policy) string {
	var m map[string]any
	_ = yaml.Unmarshal([]byte(p.Pipeline), &m) // validated by the server
	var out []string
	for _, s := range policy.Sections {
		if _, ok := m[s]; ok {
			out = append(out, s)
		}
	}
	for _, md := range p.Models {
		out = append(out, "model:"+md.Input)
	}
	return orDash(strings.Join(out, ","))
}

func policiesGet(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	c, name, output, err := policyCommand("policies get", args, env, stderr, nil)
	if err != nil {
		return err
	}
	var p store.Policy
	if err := c.get(ctx, policyPath(name), nil, &p); err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(stdout, p)
	}
	fmt.Fprintf(stdout, "name:        %s\ndescription: %s\nselector:    %s\npriority:    %d\nrevision:    %d (by %s, %s)\n",
		p.Name, p.Description, p.Selector, p.Priority, p.Revision, p.UpdatedBy, stamp(p.UpdatedAt))
	for _, m := range p.Models {
		fmt.Fprintf(stdout, "model:       %s = %s\n", m.Input, protocol.ModelObject(m.Name, m.Version))
	}
	if p.Pipeline != "" {
		fmt.Fprintf(stdout, "pipeline:\n%s", p.Pipeline)
	}
	return nil
}

func policiesAgents(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	c, name, output, err := policyCommand("policies agents", args, env, stderr, nil)
	if err != nil {
		return err
	}
	var pv api.PolicyPreview
	if err := c.get(ctx, policyPath(name, "/agents"), nil, &pv); err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(stdout, pv)
	}
	return matchTable(stdout, pv.Agents)
}

func policiesHistory(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	c, name, output, err := policyCommand("policies history", args, env, stderr, nil)
	if err != nil {
		return err
	}
	var body struct {
		Revisions []store.Policy `json:"revisions"`
	}
	if err := c.get(ctx, policyPath(name, "/revisions"), nil, &body); err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(stdout, body)
	}
	var rows [][]string
	for _, p := range body.Revisions {
		note := ""
		if p.RestoredFrom > 0 {
			note = "rollback to " + strconv.FormatInt(p.RestoredFrom, 10)
		}
		rows = append(rows, []string{strconv.FormatInt(p.Revision, 10), stamp(p.UpdatedAt), p.UpdatedBy,
			strconv.Itoa(p.Priority), p.Selector, sectionsOf(p), note})
	}
	return table(stdout, "REVISION\tUPDATED\tBY\tPRIORITY\tSELECTOR\tSETS\tNOTE", rows)
}

// policiesChange runs a change that answers with a policy.Result: a
// rollback or a delete.
func policiesChange(ctx context.Context, cmd, method, suffix string, args []string, env getenv, stdout, stderr io.Writer) error {
	var to int64
	c, name, output, err := policyCommand(cmd, args, env, stderr, func(fs *flag.FlagSet) {
		if suffix != "" {
			fs.Int64Var(&to, "revision", 0, "the revision to restore (default: the one before the current)")
		}
	})
	if err != nil {
		return err
	}
	var body io.Reader
	if suffix != "" {
		body = jsonBody(map[string]int64{"revision": to})
	}
	var res policy.Result
	if err := c.do(ctx, method, policyPath(name, suffix), "application/json", body, &res); err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(stdout, res)
	}
	if res.Policy != nil {
		fmt.Fprintf(stdout, "policy %s rolled back: revision %d restores revision %d; %s\n", name, res.Policy.Revision, res.Policy.RestoredFrom, reportLine(res.Agents))
	} else {
		fmt.Fprintf(stdout, "policy %s deleted; %s\n", name, reportLine(res.Agents))
	}
	printReport(stdout, res.Agents)
	if len(res.Agents.Failed) > 0 {
		return fmt.Errorf("%d agents' desired states were not rendered", len(res.Agents.Failed))
	}
	return nil
}

func policiesRollback(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	return policiesChange(ctx, "policies rollback", "POST", "/rollback", args, env, stdout, stderr)
}

func policiesDelete(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	return policiesChange(ctx, "policies delete", "DELETE", "", args, env, stdout, stderr)
}
