package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/desired"
	"github.com/pynomaly/pynomaly/protocol"
)

// modelFlags collects --model input=name:version flags.
type modelFlags []protocol.ModelAssignment

func (m *modelFlags) String() string { return fmt.Sprint(*m) }

func (m *modelFlags) Set(v string) error {
	input, ref, ok := strings.Cut(v, "=")
	name, version, ok2 := strings.Cut(ref, ":")
	if !ok || !ok2 || input == "" {
		return fmt.Errorf("%q: want input=name:version", v)
	}
	if err := protocol.ValidateModelRef(name, version); err != nil {
		return err
	}
	*m = append(*m, protocol.ModelAssignment{Input: input, Name: name, Version: version})
	return nil
}

// desiredCommand parses the flags of a desired command: --url, the
// required --agent, and those more adds. It returns the client and the
// agent id.
func desiredCommand(name string, args []string, env getenv, stderr io.Writer, more func(*flag.FlagSet)) (*client, string, error) {
	var id string
	c, err := clientCommand(name, args, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&id, "agent", "", "agent id (required)")
		if more != nil {
			more(fs)
		}
	})
	if err != nil {
		return nil, "", err
	}
	if id == "" {
		return nil, "", usageError{errors.New("--agent is required")}
	}
	if err := protocol.ValidateAgentID(id); err != nil {
		return nil, "", usageError{err}
	}
	return c, id, nil
}

func desiredPath(id string) string { return "/api/v1/agents/" + url.PathEscape(id) + "/desired" }

func desiredSet(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	var (
		file   string
		models modelFlags
	)
	c, id, err := desiredCommand("desired set", args, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&file, "f", "", "pipeline YAML: any of agent.yaml's inputs, detector and decision sections (- for stdin)")
		fs.Var(&models, "model", "assign a model to an input, as input=name:version (repeatable)")
	})
	if err != nil {
		return err
	}
	var pipeline []byte
	switch file {
	case "":
	case "-":
		pipeline, err = io.ReadAll(io.LimitReader(os.Stdin, protocol.MaxPipelineBytes+1))
	default:
		pipeline, err = os.ReadFile(file)
	}
	if err != nil {
		return fmt.Errorf("read pipeline: %w", err)
	}
	if file == "" && len(models) == 0 {
		return usageError{errors.New("nothing to set: give -f pipeline.yaml and/or --model (use desired delete to clear)")}
	}
	body, err := json.Marshal(map[string]any{"pipeline": string(pipeline), "models": []protocol.ModelAssignment(models)})
	if err != nil {
		return err
	}
	var e desired.Entry
	if err := c.do(ctx, "PUT", desiredPath(id), "application/json", bytes.NewReader(body), &e); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "desired state %s set for agent %s (revision %d); `pynomaly desired get --agent %s` shows when it is applied\n",
		e.Hash, id, e.Revision, id)
	return nil
}

func desiredGet(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	var output string
	c, id, err := desiredCommand("desired get", args, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&output, "o", "text", "output: text or json")
	})
	if err != nil {
		return err
	}
	var v api.DesiredView
	if err := c.do(ctx, "GET", desiredPath(id), "", nil, &v); err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(stdout, v)
	}
	fmt.Fprintf(stdout, "agent:    %s\ndesired:  %s (revision %d, set %s)\n", id, v.Hash, v.Revision, v.State.UpdatedAt.Format("2006-01-02T15:04:05Z"))
	switch a := v.Applied; {
	case a == nil:
		fmt.Fprintln(stdout, "applied:  not reported yet")
	default:
		fmt.Fprintf(stdout, "applied:  %s %s, running %s, in sync: %v\n", a.Status, a.Hash, orNone(a.RunningHash), v.InSync)
		if a.Error != "" {
			fmt.Fprintf(stdout, "error:    %s\n", a.Error)
		}
	}
	for _, m := range v.State.Models {
		fmt.Fprintf(stdout, "model:    %s = %s (sha256 %s)\n", m.Input, protocol.ModelObject(m.Name, m.Version), m.SHA256)
	}
	if v.State.Pipeline != "" {
		fmt.Fprintf(stdout, "pipeline:\n%s", v.State.Pipeline)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "its own file"
	}
	return s
}

func desiredDelete(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	c, id, err := desiredCommand("desired delete", args, env, stderr, nil)
	if err != nil {
		return err
	}
	if err := c.do(ctx, "DELETE", desiredPath(id), "", nil, nil); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "desired state of agent %s deleted: it goes back to its own configuration file\n", id)
	return nil
}

func modelsUpload(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("models upload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := clientFlags(fs, env)
	name := fs.String("name", "", "model name (required)")
	version := fs.String("version", "", "model version (required); versions are immutable")
	detector := fs.String("detector", "", "detector the model is for, for people (the agent checks it fits)")
	file := fs.String("f", "", "the model file, as pynomaly-agent model build writes it (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := protocol.ValidateModelRef(*name, *version); err != nil {
		return usageError{err}
	}
	if *file == "" {
		return usageError{errors.New("-f model file is required")}
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	path := "/api/v1/models/" + url.PathEscape(*name) + "/versions/" + url.PathEscape(*version)
	if *detector != "" {
		path += "?" + url.Values{"detector": {*detector}}.Encode()
	}
	var info desired.ModelInfo
	if err := newClient(*base).do(ctx, "PUT", path, "application/octet-stream", f, &info); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model %s stored: %d bytes, sha256 %s\n", protocol.ModelObject(info.Name, info.Version), info.Size, info.SHA256)
	return nil
}
