package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/protocol"
)

// CredentialsFileName is the credentials file in the data directory,
// where `pynomaly-agent enroll` writes it unless told otherwise.
const CredentialsFileName = "credentials.json"

// Credentials are what enrollment gave the agent: its id, its secret and
// where to connect. The file holds a secret: it is written with mode 0600.
type Credentials struct {
	protocol.EnrollResponse
	// APIURL is the control plane's API the agent enrolled with, for
	// enrolling again.
	APIURL     string    `json:"api_url"`
	EnrolledAt time.Time `json:"enrolled_at"`
}

// ReadCredentials reads a credentials file; a missing file is an error
// satisfying errors.Is(err, fs.ErrNotExist).
func ReadCredentials(path string) (*Credentials, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Credentials
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("credentials file %s: %w", path, err)
	}
	if err := protocol.ValidateAgentID(c.AgentID); err != nil {
		return nil, fmt.Errorf("credentials file %s: %w", path, err)
	}
	if c.Secret == "" {
		return nil, fmt.Errorf("credentials file %s: no secret", path)
	}
	return &c, nil
}

// WriteCredentials writes c to path with mode 0600, atomically: a crash
// leaves the old file or the new one, never half of one, so an agent
// that re-enrolls cannot lose both identities.
func WriteCredentials(path string, c *Credentials) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".credentials-*")
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	defer os.Remove(f.Name()) // after a successful rename, there is nothing to remove
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("credentials: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("credentials: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("credentials: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	return nil
}

// CredentialsPath is where the agent's credentials are: credentials_file,
// or credentials.json in the data directory.
func (c *Config) CredentialsPath() string {
	if c.ControlPlane.CredentialsFile != "" {
		return c.ControlPlane.CredentialsFile
	}
	return filepath.Join(c.Agent.DataDir, CredentialsFileName)
}

// loadCredentials applies the credentials file, if there is one: the
// agent takes its enrolled id and, unless control_plane.url is set, the
// NATS addresses it was given.
func (c *Config) loadCredentials() error {
	path := c.CredentialsPath()
	cred, err := ReadCredentials(path)
	if errors.Is(err, fs.ErrNotExist) {
		if c.ControlPlane.CredentialsFile != "" {
			return fmt.Errorf("control_plane.credentials_file: %w (enroll first: pynomaly-agent enroll)", err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("control_plane.credentials_file: %w", err)
	}
	if c.Agent.ID != "" && c.Agent.ID != cred.AgentID {
		return fmt.Errorf("agent.id %q differs from the enrolled id %q in %s: remove agent.id, or enroll again", c.Agent.ID, cred.AgentID, path)
	}
	c.Agent.ID = cred.AgentID
	if c.ControlPlane.URL == "" {
		c.ControlPlane.URL = strings.Join(cred.NATSURLs, ",")
	}
	c.ControlPlane.credentials = cred
	return nil
}

// Credentials returns the enrollment credentials the agent runs with,
// nil when it uses the shared token.
func (c *ControlPlane) Credentials() *Credentials { return c.credentials }
