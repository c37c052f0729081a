package broker

import (
	"fmt"
	"strings"

	"github.com/nats-io/nkeys"
)

// Names in the NATS authorization setup.
const (
	// Account holds the control plane's streams, buckets and agents.
	Account = "PYNOMALY"
	// ControlPlaneUser is the control plane's own NATS user: it answers
	// the authorization callout, so NATS lets it in without asking.
	ControlPlaneUser = "pynomaly-controlplane"
	// SystemUser is the control plane's user in NATS' system account,
	// with which it cuts the sessions of unenrolled agents at once.
	SystemUser = "pynomaly-system"
)

// AuthConfig is the NATS server configuration that admits the control
// plane as ControlPlaneUser with password and hands every other
// connection (agents) to the control plane's authorization callout,
// whose answers are signed by the account key issuer. The embedded server
// runs on it, and `pynomaly server nats-config` prints it for an external
// NATS cluster, so both are set up alike. With systemPassword, it also
// declares NATS' system account with SystemUser in it.
func AuthConfig(password, issuer, systemPassword string) (string, error) {
	if err := checkPassword(password); err != nil {
		return "", err
	}
	if !nkeys.IsValidPublicAccountKey(issuer) {
		return "", fmt.Errorf("nats: callout issuer %q is not a public account key (it starts with A)", issuer)
	}
	system, authUsers := "", ControlPlaneUser
	if systemPassword != "" {
		authUsers += ", " + SystemUser
		if err := checkPassword(systemPassword); err != nil {
			return "", err
		}
		system = fmt.Sprintf("  SYS {\n    users: [ { user: %s, password: \"%s\" } ]\n  }\n", SystemUser, systemPassword)
	}
	conf := fmt.Sprintf(`# Pynomaly: the control plane connects as %[1]s and admits agents
# through its authorization callout (enrolled agents get their own
# credentials, limited to their own subjects).
accounts {
  %[2]s {
    jetstream: enabled
    users: [ { user: %[1]s, password: "%[3]s" } ]
  }
%[5]s}
authorization {
  auth_callout {
    issuer: %[4]s
    account: %[2]s
    auth_users: [ %[6]s ]
  }
}
`, ControlPlaneUser, Account, password, issuer, system, authUsers)
	if system != "" {
		conf += "system_account: SYS\n"
	}
	return conf, nil
}

func checkPassword(p string) error {
	if p == "" || strings.ContainsAny(p, "\"\\\n\r") {
		return fmt.Errorf("nats: a NATS password must be set and hold no quote, backslash or line break")
	}
	return nil
}
