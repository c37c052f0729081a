package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/protocol"
)

const enrollUsage = `Usage: pynomaly-agent enroll --url URL --token TOKEN [flags]

Exchanges an enrollment token (pynomaly tokens create) for this agent's own
identity and NATS credentials, and writes them to the credentials file
(mode 0600) that pynomaly-agent run then uses. Enrolling again replaces the
agent's identity: it keeps its id and its old secret stops working.

Flags:
`

func runEnroll(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("enroll", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprint(stderr, enrollUsage); flags.PrintDefaults() }
	apiURL := flags.String("url", os.Getenv("PYNOMALY_URL"), "control plane API URL, e.g. https://pynomaly.example.com (env PYNOMALY_URL)")
	token := flags.String("token", os.Getenv("PYNOMALY_ENROLL_TOKEN"), "enrollment token (env PYNOMALY_ENROLL_TOKEN)")
	cfgPath := flags.String("config", "/etc/pynomaly-agent/agent.yaml", "agent configuration, for agent.id, data_dir and credentials_file (need not exist)")
	name := flags.String("name", "", "agent id to ask for (default: agent.id, else the host name)")
	credPath := flags.String("credentials", "", "where to write the credentials (default: control_plane.credentials_file, else <data_dir>/credentials.json)")
	caFile := flags.String("ca-file", "", "PEM file of the CA that signed the control plane's certificate (default: the system's)")
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if *apiURL == "" || *token == "" {
		flags.Usage()
		return usageError{errors.New("--url and --token are required")}
	}
	u, err := url.Parse(*apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageError{fmt.Errorf("--url %q: want http(s)://host[:port]", *apiURL)}
	}
	cfg, err := config.ReadFile(*cfgPath, os.Environ())
	if err != nil {
		return usageError{err}
	}
	path := *credPath
	if path == "" {
		path = cfg.CredentialsPath()
	}
	hostname, _ := os.Hostname()
	req := protocol.EnrollRequest{Token: *token, AgentID: *name, Hostname: hostname, AgentVersion: version}
	if req.AgentID == "" {
		req.AgentID = cfg.Agent.ID
	}
	if req.AgentID == "" {
		req.AgentID = protocol.SanitizeAgentID(hostname)
	}
	if err := protocol.ValidateAgentID(req.AgentID); err != nil {
		return usageError{fmt.Errorf("--name: %w", err)}
	}
	old, err := config.ReadCredentials(path)
	switch {
	case err == nil:
		req.Previous = &old.AgentCredentials
	case !errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(stderr, "warning: %v; enrolling as a new agent\n", err)
	}
	client, err := enrollClient(*caFile)
	if err != nil {
		return err
	}
	resp, err := postEnroll(ctx, client, strings.TrimRight(u.String(), "/")+protocol.EnrollPath, req)
	if err != nil {
		return err
	}
	cred := &config.Credentials{EnrollResponse: *resp, APIURL: u.String(), EnrolledAt: time.Now().UTC()}
	if err := config.WriteCredentials(path, cred); err != nil {
		return err
	}
	how := "enrolled as"
	if resp.Replaced {
		how = "enrolled again, keeping the id"
	}
	fmt.Fprintf(stdout, "%s %s; credentials in %s\nNATS: %s\n", how, resp.AgentID, path, strings.Join(resp.NATSURLs, ", "))
	return nil
}

func enrollClient(caFile string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, usageError{fmt.Errorf("--ca-file: %w", err)}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, usageError{fmt.Errorf("--ca-file %s: no PEM certificate in it", caFile)}
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, nil
}

func postEnroll(ctx context.Context, client *http.Client, endpoint string, req protocol.EnrollRequest) (*protocol.EnrollResponse, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Content-Type", "application/json")
	hresp, err := client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("enroll: %w", err)
	}
	defer hresp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(hresp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("enroll: read the answer: %w", err)
	}
	if hresp.StatusCode != http.StatusCreated {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error.Message != "" {
			return nil, fmt.Errorf("enroll refused (%d %s): %s", hresp.StatusCode, e.Error.Code, e.Error.Message)
		}
		return nil, fmt.Errorf("enroll refused: %s (is %s a Pynomaly control plane?)", hresp.Status, endpoint)
	}
	var resp protocol.EnrollResponse
	if err := json.Unmarshal(b, &resp); err != nil || resp.AgentID == "" || resp.Secret == "" {
		return nil, fmt.Errorf("enroll: unexpected answer %.200q", b)
	}
	return &resp, nil
}
