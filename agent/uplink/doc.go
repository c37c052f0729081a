// Package uplink delivers the agent's outbox to the control plane over NATS
// and sends heartbeats.
//
// Delivery is at least once: each entry is published to JetStream with its
// id as the message id and deleted from the outbox only after JetStream
// acknowledged it. A crash between the acknowledgement and the delete
// republishes the entry; JetStream's duplicate window and the control
// plane's unique alert id make that harmless. Entries go up in atomic
// batches where the server takes them, which it stores all or nothing and
// fsyncs once (batch.go); otherwise one message at a time.
//
// The agent starts and keeps detecting with the control plane unreachable;
// the uplink reconnects in the background and drains what accumulated.
package uplink
