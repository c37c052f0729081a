package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// cliConfig is the client commands' configuration file: where the server
// is and the credentials to use, below flags and the environment.
//
//	url: https://pynomaly.example.com
//	api_key: pnk_…
type cliConfig struct {
	URL    string `yaml:"url"`
	APIKey string `yaml:"api_key"`
}

// cliConfigPath is $PYNOMALY_CLI_CONFIG, else cli.yaml under
// $XDG_CONFIG_HOME/pynomaly or ~/.config/pynomaly.
func cliConfigPath(env getenv) string {
	if p := env("PYNOMALY_CLI_CONFIG"); p != "" {
		return p
	}
	if d := env("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "pynomaly", "cli.yaml")
	}
	if h := env("HOME"); h != "" {
		return filepath.Join(h, ".config", "pynomaly", "cli.yaml")
	}
	return ""
}

// withCLIConfig returns env with the configuration file's values under the
// variables they stand for (PYNOMALY_URL, PYNOMALY_API_KEY) where the
// environment has none. A missing file is no error; a malformed one, or
// one holding a key that others can read, is.
func withCLIConfig(env getenv) (getenv, error) {
	path := cliConfigPath(env)
	if path == "" {
		return env, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return env, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cli config: %w", err)
	}
	var c cliConfig
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("cli config %s: %w (keys: url, api_key)", path, err)
	}
	if c.APIKey != "" {
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("cli config %s holds an API key and others can read it (mode %o): chmod 600 %s", path, fi.Mode().Perm(), path)
		}
	}
	file := map[string]string{"PYNOMALY_URL": c.URL, "PYNOMALY_API_KEY": c.APIKey}
	return func(k string) string {
		if v := env(k); v != "" {
			return v
		}
		return file[k]
	}, nil
}
