// Package agent is the agent runtime: it wires inputs, pipelines, the
// outbox, the uplink and the local HTTP endpoint together and runs them
// until its context ends.
//
// Lifetimes: Run owns the outbox file and closes it on return; every
// component it starts has returned before Run does.
package agent
