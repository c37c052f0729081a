package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/store"
)

// clientCommand parses a client command's flags: --url, --api-key and
// those more adds.
func clientCommand(name string, args []string, env getenv, stderr io.Writer, more func(*flag.FlagSet)) (*client, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := clientFlags(fs, env)
	if more != nil {
		more(fs)
	}
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	return newClient(*cfg), nil
}

// adminCommand is clientCommand with -o table|json; it returns the format.
func adminCommand(name string, args []string, env getenv, stderr io.Writer, more func(*flag.FlagSet)) (*client, string, error) {
	var output string
	c, err := clientCommand(name, args, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&output, "o", "table", "output: table or json")
		if more != nil {
			more(fs)
		}
	})
	if err != nil {
		return nil, "", err
	}
	if output != "table" && output != "json" {
		return nil, "", usageError{fmt.Errorf("-o %q: want table or json", output)}
	}
	return c, output, nil
}

// table writes rows under header, tab-aligned.
func table(w io.Writer, header string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

func jsonBody(v any) io.Reader {
	b, _ := json.Marshal(v) // maps and structs of strings: cannot fail
	return bytes.NewReader(b)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// login exchanges a user name and the password on stdin for an access
// token, printed for PYNOMALY_TOKEN (valid an hour).
func login(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	var username string
	c, _, err := adminCommand("login", args, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&username, "username", "", "user name (required)")
	})
	if err != nil {
		return err
	}
	if username == "" {
		return usageError{errors.New("--username is required")}
	}
	fmt.Fprintf(stderr, "password for %s (one line on stdin): ", username)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	fmt.Fprintln(stderr)
	var tok struct {
		AccessToken string `json:"access_token"`
		Role        string `json:"role"`
	}
	body := jsonBody(map[string]string{"username": username, "password": strings.TrimRight(line, "\r\n")})
	if err := c.do(ctx, "POST", "/api/v1/auth/login", "application/json", body, &tok); err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok.AccessToken)
	fmt.Fprintf(stderr, "logged in as %s (%s) for an hour: export PYNOMALY_TOKEN=<the line above>\n", username, tok.Role)
	return nil
}

func usersList(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	c, output, err := adminCommand("users list", args, env, stderr, nil)
	if err != nil {
		return err
	}
	var body struct {
		Users []store.User `json:"users"`
	}
	if err := c.get(ctx, "/api/v1/users", nil, &body); err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(stdout, body)
	}
	var rows [][]string
	for _, u := range body.Users {
		rows = append(rows, []string{u.ID, u.Username, u.Role, stamp(u.CreatedAt)})
	}
	return table(stdout, "ID\tUSERNAME\tROLE\tCREATED", rows)
}

// byID is a command taking one --id, for deletions.
func byID(ctx context.Context, name, pathPrefix, done string, args []string, env getenv, stdout, stderr io.Writer) error {
	var id string
	c, _, err := adminCommand(name, args, env, stderr, func(fs *flag.FlagSet) { fs.StringVar(&id, "id", "", "id (required)") })
	if err != nil {
		return err
	}
	if id == "" {
		return usageError{errors.New("--id is required")}
	}
	if err := c.do(ctx, "DELETE", pathPrefix+url.PathEscape(id), "", nil, nil); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s %s\n", done, id)
	return nil
}

func usersDelete(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	return byID(ctx, "users delete", "/api/v1/users/", "deleted user", args, env, stdout, stderr)
}

func apiKeysRevoke(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	return byID(ctx, "api-keys revoke", "/api/v1/api-keys/", "revoked api key", args, env, stdout, stderr)
}

func apiKeysCreate(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	var name, role string
	c, output, err := adminCommand("api-keys create", args, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "what the key is for (required)")
		fs.StringVar(&role, "role", "viewer", "viewer, operator or admin")
	})
	if err != nil {
		return err
	}
	if name == "" {
		return usageError{errors.New("--name is required")}
	}
	var k struct {
		store.APIKey
		Key string `json:"key"`
	}
	if err := c.do(ctx, "POST", "/api/v1/api-keys", "application/json", jsonBody(map[string]string{"name": name, "role": role}), &k); err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(stdout, k)
	}
	fmt.Fprintln(stdout, k.Key)
	fmt.Fprintf(stderr, "api key %s (%s, role %s) created; it is shown only now\n", k.ID, k.Name, k.Role)
	return nil
}

func apiKeysList(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	c, output, err := adminCommand("api-keys list", args, env, stderr, nil)
	if err != nil {
		return err
	}
	var body struct {
		Keys []store.APIKey `json:"api_keys"`
	}
	if err := c.get(ctx, "/api/v1/api-keys", nil, &body); err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(stdout, body)
	}
	var rows [][]string
	for _, k := range body.Keys {
		rows = append(rows, []string{k.ID, k.Name, k.Role, k.CreatedBy, stamp(k.CreatedAt), stamp(k.RevokedAt)})
	}
	return table(stdout, "ID\tNAME\tROLE\tCREATED BY\tCREATED\tREVOKED", rows)
}

func auditList(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	var limit int
	var before int64
	c, output, err := adminCommand("audit list", args, env, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&limit, "limit", 100, "entries (1..1000)")
		fs.Int64Var(&before, "before", 0, "entries older than this seq (next page)")
	})
	if err != nil {
		return err
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if before > 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	var page struct {
		Entries    []store.AuditEntry `json:"entries"`
		NextBefore int64              `json:"next_before"`
	}
	if err := c.get(ctx, "/api/v1/audit", q, &page); err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(stdout, page)
	}
	var rows [][]string
	for _, e := range page.Entries {
		rows = append(rows, []string{stamp(e.At), e.Actor, e.Method, e.Path, strconv.Itoa(e.Status), e.Client})
	}
	if err := table(stdout, "TIME\tACTOR\tMETHOD\tPATH\tSTATUS\tCLIENT", rows); err != nil {
		return err
	}
	if page.NextBefore > 0 {
		fmt.Fprintf(stderr, "older entries: --before %d\n", page.NextBefore)
	}
	return nil
}
