// Package policy renders agents' desired states from policies.
//
// A policy is a named piece of pipeline configuration — any of agent.yaml's
// inputs, detector and decision sections, and model versions for inputs —
// with a label selector saying which agents it is for and a priority. The
// control plane keeps policies in the store (store.Policy, with revisions)
// and publishes, for every agent, one desired state made from the
// policies that apply to it, under the agent's key in the desired-state
// bucket (controlplane/desired), where the agent picks it up.
//
// Which policies apply to an agent: those whose selector matches the
// agent's labels, and the one its enrollment token named (whatever its
// selector). A selector is Kubernetes label-selector syntax
// (fleet.ParseSelector); "*" matches every agent, and the empty selector
// matches none, so a policy written without one reaches only agents whose
// token names it, never the whole fleet by mistake.
//
// How they combine, deterministically: the policies are ordered by
// priority, highest first, then by name; each section (inputs, detector,
// decision) is taken whole from the first policy in that order that has
// it, and each input's model from the first policy that assigns one to
// that input. Sections are never merged key by key: a detector made of two
// policies' parameters would be one nobody wrote. A section no policy has
// is left to the agent's own file. The rendered state records the
// policies it was made from (DesiredState.Policies, name@revision).
//
// Manual desired states win: a state set through PUT
// /api/v1/agents/{id}/desired (DesiredState.Source empty) pins the agent,
// and policies leave it alone until that state is deleted; then the
// agent's policies are rendered again. An agent no policy applies to has
// its rendered state deleted and goes back to its own file.
//
// When: a policy's create, update, rollback or delete renders every agent
// it applied to before or applies to after; an agent's enrollment,
// relabelling or unenrollment renders that agent (Service.AgentChanged),
// as does the first heartbeat of an agent the store did not have (one
// on the shared token; controlplane/ingest's NewAgent).
// Each render reads the agent's current desired state before the store,
// and writes it back only if its revision has not moved (a compare and
// set on the KV key), trying again otherwise; so renders racing on
// several replicas, or with a manual PUT, end with the state of the
// latest store contents, and never overwrite a manual state.
package policy
