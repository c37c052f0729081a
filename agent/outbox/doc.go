// Package outbox is the agent's durable buffer: results waiting for the
// uplink, and the checkpoints (input positions, detector and decision state)
// they were computed from.
//
// Both live in one bbolt file because they must change together: a batch's
// new outbox entries, its input offset and the series states after it are
// committed in one transaction (Store.Commit). After a crash the agent
// resumes from the last commit, recomputes what followed, and produces the
// same entries with the same ids, which the control plane de-duplicates.
//
// On-disk layout (schema version 1):
//
//	meta/
//	    "schema"            -> uint32 big endian, schema version
//	    "agent_id"          -> the agent id the entries were written for
//	outbox/
//	    <uint64 BE seq>     -> entry: kind(1) | len(id)(1) | id | payload
//	checkpoints/
//	    "input/<key>"       -> offset uint64 BE | line uint64 BE | source
//	                           (a file input keeps one per file, keyed
//	                           <input>/<device>:<inode>, source
//	                           "<path>#<crc32 of the 64 bytes before offset>")
//	    "state/<key>"       -> opaque state bytes owned by the caller
//	times/
//	    <uint64 BE seq>     -> uint64 BE Unix ns: when the entries from seq
//	                           on were committed (one per transaction; those
//	                           no entry needs are removed)
//	quarantine/             (created on first use)
//	    <uint64 BE seq>     -> an entry that could not be decoded, moved aside
//
// Sequence numbers come from the outbox bucket's NextSequence, so iteration
// order is commit order.
package outbox
