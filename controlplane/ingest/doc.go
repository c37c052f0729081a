// Package ingest moves agent events from NATS into the store.
//
// Alerts arrive on the JetStream stream protocol.StreamName and are read by
// one durable pull consumer shared by every control-plane replica, so each
// message goes to one replica. A fetched batch is inserted in one store
// transaction and acknowledged only after that transaction commits: a crash
// between the two redelivers the batch, and the store's unique alert id
// makes the redelivery invisible. The next batch is fetched and decoded
// while one is being stored, but batches are stored one at a time, in the
// order they were fetched, so alerts of a series are committed in order.
//
// Heartbeats are core NATS messages handled by a queue subscription.
package ingest
