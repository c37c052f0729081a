package protocol

// Enrollment: an agent exchanges an enrollment token for its own identity
// and NATS credentials over HTTP (POST EnrollPath on the control plane).
// With those credentials NATS lets the agent publish only on its own
// subjects, receive only on its own inbox, and read only its own desired
// state and the models assigned to it.

// EnrollPath is the control plane's enrollment endpoint.
const EnrollPath = "/api/v1/agents/enroll"

// EnrollRequest is the body of POST EnrollPath.
type EnrollRequest struct {
	// Token is the enrollment token an operator created.
	Token string `json:"token"`
	// AgentID is the id the agent asks for, usually from its host name;
	// if an enrolled agent holds it, the control plane adds a suffix.
	AgentID      string `json:"agent_id"`
	Hostname     string `json:"hostname"`
	AgentVersion string `json:"agent_version"`
	// Previous is the identity the agent held before, if any: proving it
	// keeps the agent's id (and history) and retires the old secret, so
	// re-enrolling a host replaces its identity instead of adding one.
	Previous *AgentCredentials `json:"previous,omitempty"`
}

// EnrollResponse is what a successful enrollment returns; the agent
// stores it as its credentials file.
type EnrollResponse struct {
	AgentCredentials
	// NATSURLs are the addresses the agent connects to.
	NATSURLs []string          `json:"nats_urls"`
	Labels   map[string]string `json:"labels"`
	// Replaced says the agent kept its previous identity.
	Replaced bool `json:"replaced"`
}

// AgentCredentials are what an enrolled agent presents to NATS: its id as
// the user name and its secret as the password.
type AgentCredentials struct {
	AgentID string `json:"agent_id"`
	Secret  string `json:"secret"`
}

// AgentInboxPrefix is the prefix of an enrolled agent's reply subjects.
// NATS lets an agent subscribe only under its own prefix, so no agent can
// read the replies meant for another.
func AgentInboxPrefix(agentID string) string { return "_INBOX_" + agentID }
