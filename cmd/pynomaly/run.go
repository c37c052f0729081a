package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// usageError marks bad flags or arguments: exit status 2.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

const usage = `pynomaly — Pynomaly control plane

Usage:
  pynomaly server start [--host H] [--port P] [--data-dir D]   run the control plane
  pynomaly alerts list [--agent A] [--series S] [--from T] [--to T] [--limit N] [-o table|json]
  pynomaly alerts watch                                        print alerts as they arrive
  pynomaly server nats-config [--password P] [--nats-host H:P]  print an external NATS server's config for the control plane
  pynomaly agents list [--label K=V ...] [--selector SEL] [--status S] [--version V] [--seen-since T] [--limit N] [-o table|json]
  pynomaly agents get --agent ID                               one agent, as JSON
  pynomaly agents label --agent ID name=value ... name- ...    set and remove labels
  pynomaly agents unenroll --agent ID                          revoke an agent's credentials and cut it off
  pynomaly tokens create [--label K=V ...] [--policy P] [--ttl 24h] [--max-uses N] [--description D]
                                                               an enrollment token for pynomaly-agent enroll
  pynomaly tokens list | tokens revoke --id ID
  pynomaly policies apply -f policy.yaml [--dry-run] [-o table|json]
                                                               create or update policies; render their agents' desired states
  pynomaly policies list | policies get NAME | policies agents NAME | policies history NAME
  pynomaly policies rollback NAME [--revision N] | policies delete NAME
  pynomaly desired set --agent ID [-f pipeline.yaml] [--model input=name:version ...]
  pynomaly desired get --agent ID [-o text|json]               desired state and what the agent applied
  pynomaly desired delete --agent ID                           back to the agent's own file
  pynomaly models upload --name N --version V [--detector D] -f model.bin
  pynomaly users create --username U [--role R | --admin] [--data-dir D | --database-url URL]
                                                               add a user straight to the store (the first admin); password on stdin
  pynomaly login --username U                                  print an access token (password on stdin)
  pynomaly users list | users delete --id ID
  pynomaly api-keys create --name N [--role R] | api-keys list | api-keys revoke --id ID
  pynomaly audit list [--limit N] [--before SEQ]
  pynomaly version

Client commands reach the server at --url or PYNOMALY_URL (default http://127.0.0.1:8080),
with the API key or token in --api-key or PYNOMALY_API_KEY; both may also come from
~/.config/pynomaly/cli.yaml (url:, api_key:; mode 600), or the file PYNOMALY_CLI_CONFIG names.
`

type getenv func(string) string

func run(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	// The server reads only its own settings: a broken client file must
	// not keep it from starting.
	if len(args) == 0 || args[0] != "server" {
		var err error
		if env, err = withCLIConfig(env); err != nil {
			return usageError{err}
		}
	}
	err := dispatch(ctx, args, env, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the flag set has printed its usage; that is success
	}
	return err
}

func dispatch(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	cmd := strings.Join(args[:min(2, len(args))], " ")
	rest := args[min(2, len(args)):]
	switch cmd {
	case "server start":
		return serverStart(ctx, rest, env, stderr)
	case "alerts list":
		return alertsList(ctx, rest, env, stdout, stderr)
	case "alerts watch":
		return alertsWatch(ctx, rest, env, stdout, stderr)
	case "agents list":
		return agentsList(ctx, rest, env, stdout, stderr)
	case "agents get":
		return agentsGet(ctx, rest, env, stdout, stderr)
	case "agents label":
		return agentsLabel(ctx, rest, env, stdout, stderr)
	case "agents unenroll":
		return agentsUnenroll(ctx, rest, env, stdout, stderr)
	case "tokens create":
		return tokensCreate(ctx, rest, env, stdout, stderr)
	case "tokens list":
		return tokensList(ctx, rest, env, stdout, stderr)
	case "tokens revoke":
		return tokensRevoke(ctx, rest, env, stdout, stderr)
	case "server nats-config":
		return serverNATSConfig(rest, env, stdout, stderr)
	case "policies apply":
		return policiesApply(ctx, rest, env, stdout, stderr)
	case "policies list":
		return policiesList(ctx, rest, env, stdout, stderr)
	case "policies get":
		return policiesGet(ctx, rest, env, stdout, stderr)
	case "policies agents":
		return policiesAgents(ctx, rest, env, stdout, stderr)
	case "policies history":
		return policiesHistory(ctx, rest, env, stdout, stderr)
	case "policies rollback":
		return policiesRollback(ctx, rest, env, stdout, stderr)
	case "policies delete":
		return policiesDelete(ctx, rest, env, stdout, stderr)
	case "desired set":
		return desiredSet(ctx, rest, env, stdout, stderr)
	case "desired get":
		return desiredGet(ctx, rest, env, stdout, stderr)
	case "desired delete":
		return desiredDelete(ctx, rest, env, stdout, stderr)
	case "models upload":
		return modelsUpload(ctx, rest, env, stdout, stderr)
	case "users create":
		return usersCreate(ctx, rest, env, stdout, stderr)
	case "users list":
		return usersList(ctx, rest, env, stdout, stderr)
	case "users delete":
		return usersDelete(ctx, rest, env, stdout, stderr)
	case "api-keys create":
		return apiKeysCreate(ctx, rest, env, stdout, stderr)
	case "api-keys list":
		return apiKeysList(ctx, rest, env, stdout, stderr)
	case "api-keys revoke":
		return apiKeysRevoke(ctx, rest, env, stdout, stderr)
	case "audit list":
		return auditList(ctx, rest, env, stdout, stderr)
	}
	if len(args) > 0 {
		switch args[0] {
		case "login":
			return login(ctx, args[1:], env, stdout, stderr)
		case "version", "--version":
			fmt.Fprintln(stdout, "pynomaly", version)
			return nil
		case "help", "-h", "--help":
			fmt.Fprint(stdout, usage)
			return nil
		}
	}
	fmt.Fprint(stderr, usage)
	if len(args) == 0 {
		return usageError{errors.New("no command given")}
	}
	return usageError{fmt.Errorf("unknown command %q", cmd)}
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

// envOr returns the first non-empty environment variable of names, or def.
func envOr(env getenv, def string, names ...string) string {
	for _, n := range names {
		if v := env(n); v != "" {
			return v
		}
	}
	return def
}
