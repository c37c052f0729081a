package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

func TestLaunchErrors(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "not-executable")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	version := fmt.Sprintf("protocol version %d", sdk.ProtocolVersion)
	tests := []struct {
		name string
		path func(t *testing.T) string
		want error
		says []string // beyond the path, which every error names
	}{
		{"missing", func(*testing.T) string { return filepath.Join(dir, "nope") }, fs.ErrNotExist, []string{"no such file"}},
		{"not executable", func(*testing.T) string { return notExec }, fs.ErrPermission, []string{"permission denied: not executable (chmod +x"}},
		{"directory", func(*testing.T) string { return dir }, sdk.ErrIncompatiblePlugin, []string{"is a directory"}},
		{"not a plugin, exits", func(*testing.T) string { return trueBinary(t) }, sdk.ErrIncompatiblePlugin, []string{version}},
		{"not a plugin, prints", func(t *testing.T) string { return binary(t, "garbage") }, sdk.ErrIncompatiblePlugin, []string{version, "hello, world"}},
		{"not a plugin, silent", func(t *testing.T) string { return binary(t, "silent") }, sdk.ErrIncompatiblePlugin, []string{version, "timeout"}},
		{"other protocol version", func(t *testing.T) string { return binary(t, "version") }, sdk.ErrIncompatiblePlugin, []string{version, "Plugin version: 2"}},
		{"other handshake", func(t *testing.T) string { return binary(t, "cookie") }, sdk.ErrIncompatiblePlugin, []string{version}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path(t)
			p, err := sdk.Launch(path, sdk.LaunchOptions{Logger: testLogger(t), StartTimeout: 2 * time.Second})
			if err == nil {
				p.Kill()
				t.Fatal("Launch succeeded")
			}
			t.Log(err)
			if !errors.Is(err, tc.want) {
				t.Errorf("error %q does not wrap %v", err, tc.want)
			}
			for _, s := range append(tc.says, path) {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

func trueBinary(t *testing.T) string {
	for _, p := range []string{"/bin/true", "/usr/bin/true"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("no true(1) here")
	return ""
}
