package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/api"
)

// client is the CLI's view of the REST API.
type client struct {
	base  string
	token string
	http  *http.Client
}

// clientConfig is where the server is and who the CLI is to it.
type clientConfig struct{ url, token string }

// clientFlags adds --url and the credential flags. A token is an API key
// (pynomaly api keys, or a development server's DATA_DIR/admin-api-key)
// or a user's access token from POST /api/v1/auth/login.
func clientFlags(fs *flag.FlagSet, env getenv) *clientConfig {
	c := &clientConfig{}
	fs.StringVar(&c.url, "url", envOr(env, "http://127.0.0.1:8080", "PYNOMALY_URL"), "control plane URL (env PYNOMALY_URL)")
	fs.StringVar(&c.token, "api-key", envOr(env, "", "PYNOMALY_API_KEY", "PYNOMALY_TOKEN"),
		"API key or access token sent as Authorization: Bearer (env PYNOMALY_API_KEY, or PYNOMALY_TOKEN)")
	return c
}

func newClient(cfg clientConfig) *client {
	return &client{base: strings.TrimRight(cfg.url, "/"), token: cfg.token, http: &http.Client{Timeout: 30 * time.Second}}
}

// get fetches path?query into out, turning API error bodies into errors.
func (c *client) get(ctx context.Context, path string, query url.Values, out any) error {
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	return c.do(ctx, http.MethodGet, path, "", nil, out)
}

// do sends a request with body (of contentType) and decodes a JSON answer
// into out, if not nil; an API error body becomes the error.
func (c *client) do(ctx context.Context, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("reach control plane: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		var eb api.ErrorBody
		if json.Unmarshal(b, &eb) == nil && eb.Error.Message != "" {
			if resp.StatusCode == http.StatusUnauthorized && c.token == "" {
				return fmt.Errorf("%s: %s (give an API key with --api-key or PYNOMALY_API_KEY; a development server keeps one in DATA_DIR/admin-api-key)",
					resp.Status, eb.Error.Message)
			}
			return fmt.Errorf("%s: %s", resp.Status, eb.Error.Message)
		}
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("decode response from %s: %w", path, err)
	}
	return nil
}
