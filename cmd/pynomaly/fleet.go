package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/nats-io/nkeys"

	"github.com/pynomaly/pynomaly/controlplane/broker"
	"github.com/pynomaly/pynomaly/controlplane/store"
)

// labelsFlag collects repeated --label name=value flags.
type labelsFlag map[string]string

func (l labelsFlag) String() string { return fmt.Sprint(map[string]string(l)) }

func (l labelsFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q: want name=value", s)
	}
	l[k] = v
	return nil
}

func tokensCreate(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	labels := labelsFlag{}
	var desc, policy, ttl string
	var maxUses int64
	c, output, err := adminCommand("tokens create", args, env, stderr, func(fs *flag.FlagSet) {
		fs.Var(labels, "label", "name=value every agent enrolled with it gets (repeatable)")
		fs.StringVar(&desc, "description", "", "what the token is for")
		fs.StringVar(&policy, "policy", "", "a policy applied to every agent enrolled with it")
		fs.StringVar(&ttl, "ttl", "24h", "how long it is valid (up to 8760h)")
		fs.Int64Var(&maxUses, "max-uses", 0, "how many agents may enroll with it (0: no bound)")
	})
	if err != nil {
		return err
	}
	req := map[string]any{"description": desc, "labels": labels, "policy": policy, "ttl": ttl, "max_uses": maxUses}
	var tok struct {
		store.EnrollmentToken
		Token string `json:"token"`
	}
	if err := c.do(ctx, "POST", "/api/v1/enrollment-tokens", "application/json", jsonBody(req), &tok); err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(stdout, tok)
	}
	fmt.Fprintln(stdout, tok.Token)
	fmt.Fprintf(stderr, "enrollment token %s created, valid until %s; it is shown only now.\nOn each agent: pynomaly-agent enroll --url %s --token <the line above>\n",
		tok.ID, stamp(tok.ExpiresAt), c.base)
	return nil
}

func tokensList(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	c, output, err := adminCommand("tokens list", args, env, stderr, nil)
	if err != nil {
		return err
	}
	var body struct {
		Tokens []store.EnrollmentToken `json:"tokens"`
	}
	if err := c.get(ctx, "/api/v1/enrollment-tokens", nil, &body); err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(stdout, body)
	}
	var rows [][]string
	for _, t := range body.Tokens {
		uses := strconv.FormatInt(t.Uses, 10)
		if t.MaxUses > 0 {
			uses += "/" + strconv.FormatInt(t.MaxUses, 10)
		}
		rows = append(rows, []string{t.ID, t.Description, formatLabels(t.Labels), t.Policy, uses,
			stamp(t.ExpiresAt), stamp(t.RevokedAt)})
	}
	return table(stdout, "ID\tDESCRIPTION\tLABELS\tPOLICY\tUSES\tEXPIRES\tREVOKED", rows)
}

func tokensRevoke(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	return byID(ctx, "tokens revoke", "/api/v1/enrollment-tokens/", "revoked enrollment token", args, env, stdout, stderr)
}

// agentsLabel sets (name=value) and removes (name-) labels of an agent,
// like kubectl label.
func agentsLabel(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("agents label", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := clientFlags(fs, env)
	id := fs.String("agent", "", "agent id (required)")
	// Flags first, then the label changes as arguments.
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if *id == "" || fs.NArg() == 0 {
		return usageError{errors.New("usage: pynomaly agents label --agent ID name=value ... name- ...")}
	}
	set, remove := map[string]string{}, []string{}
	for _, a := range fs.Args() {
		if k, v, ok := strings.Cut(a, "="); ok {
			set[k] = v
		} else if k, ok := strings.CutSuffix(a, "-"); ok && k != "" {
			remove = append(remove, k)
		} else {
			return usageError{fmt.Errorf("%q: want name=value to set or name- to remove", a)}
		}
	}
	var out struct {
		Labels map[string]string `json:"labels"`
	}
	c := newClient(*cfg)
	if err := c.do(ctx, "PATCH", "/api/v1/agents/"+url.PathEscape(*id)+"/labels", "application/json",
		jsonBody(map[string]any{"set": set, "remove": remove}), &out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s\n", *id, formatLabels(out.Labels))
	return nil
}

func agentsUnenroll(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	c, id, err := desiredCommand("agents unenroll", args, env, stderr, nil)
	if err != nil {
		return err
	}
	if err := c.do(ctx, "DELETE", "/api/v1/agents/"+url.PathEscape(id), "", nil, nil); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "unenrolled agent %s: its credentials no longer work\n", id)
	return nil
}

func formatLabels(l map[string]string) string {
	parts := make([]string, 0, len(l))
	for _, k := range slices.Sorted(maps.Keys(l)) {
		parts = append(parts, k+"="+l[k])
	}
	return strings.Join(parts, ",")
}

// serverNATSConfig prints what an external NATS needs to admit the
// control plane and, through its authorization callout, enrolled agents:
// the server configuration block, and the key and URLs the control plane
// is started with.
func serverNATSConfig(args []string, env getenv, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("server nats-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	password := fs.String("password", env("PYNOMALY_NATS_TOKEN"), "the control plane's NATS password (env PYNOMALY_NATS_TOKEN; default: a new random one)")
	system := fs.Bool("system", true, "also declare NATS' system account, so unenrolled agents are cut off at once")
	host := fs.String("nats-host", "nats:4222", "host:port of the NATS server, for the URLs printed")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *password == "" {
		*password = randomSecret()
	}
	kp, err := nkeys.CreateAccount()
	if err != nil {
		return err
	}
	seed, _ := kp.Seed()
	pub, _ := kp.PublicKey()
	sysPassword := ""
	if *system {
		sysPassword = randomSecret()
	}
	conf, err := broker.AuthConfig(*password, pub, sysPassword)
	if err != nil {
		return usageError{err}
	}
	fmt.Fprint(stdout, conf)
	fmt.Fprintf(stdout, "\n# Start the control plane with (keep these secret):\n#   PYNOMALY_NATS_URL=nats://%s\n#   PYNOMALY_NATS_TOKEN=%s\n#   PYNOMALY_NATS_CALLOUT_KEY=%s\n",
		*host, *password, seed)
	if *system {
		fmt.Fprintf(stdout, "#   PYNOMALY_NATS_SYSTEM_PASSWORD=%s\n", sysPassword)
	}
	return nil
}

func randomSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
