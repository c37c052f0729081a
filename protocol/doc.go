// Package protocol is the wire contract between agents and the control plane:
// message types, NATS subjects, the JetStream stream name and message ids.
//
// It imports nothing else from this module, so both sides (and third-party
// tools) can depend on it without pulling in either runtime.
//
// Versioning: every message carries a "v" field. A receiver accepts every
// version up to the one it knows and ignores unknown JSON fields, so an older
// agent keeps working with a newer control plane for at least one minor
// release. A message whose version is newer than the receiver knows is
// rejected with ErrUnsupportedVersion rather than misread.
package protocol
