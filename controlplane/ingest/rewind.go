package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/protocol"
)

// Order per series survives NATS trouble only if no alert is stored ahead
// of an older one. When NATS goes down, restarts, or ends a pull request
// early, an alert it has just delivered can be lost on the way; NATS hands
// it out again only after AckWait (30 s), behind newer alerts of the same
// series. So whenever deliveries may have been lost, the ingester rewinds
// the consumer to the first unacknowledged alert before storing anything
// else: NATS delivers from there again, in stream order, and alerts already
// stored come again as duplicates, which the store skips. A rewind made
// while the server is still going down can lose deliveries too, so the
// first delivery after a rewind must be the consumer's first (sequence 1),
// or the ingester rewinds again.

// maxRewinds bounds the rewinds in a row that fail that check. Replicas
// sharing the consumer take deliveries too, and must not keep rewinding
// each other; among them, order per series is not kept anyway.
const maxRewinds = 5

type rewindState struct {
	reconnects uint64 // the connection's reconnect count last seen
	mustRewind bool   // deliveries may have been lost
	verifying  bool   // rewound; the next delivery must be the first
	rewinds    int    // rewinds since the last verified one
}

// resync reports whether raw, just fetched, may be stored now. If not,
// raw stays unacknowledged and comes again after the rewind.
func (in *Ingester) resync(ctx context.Context, raw []jetstream.Msg) (bool, error) {
	// The reconnect count goes up before anything arrives on the new
	// connection, so checked after a fetch it cannot miss what came over it.
	if n := in.opts.Conn.Stats().Reconnects; n != in.reconnects {
		in.reconnects, in.mustRewind = n, true
	}
	if in.mustRewind {
		rewound, err := in.rewind(ctx)
		return !rewound && err == nil, err
	}
	if !in.verifying || len(raw) == 0 {
		return true, nil
	}
	in.verifying = false
	md, err := raw[0].Metadata()
	if err != nil || md.Sequence.Consumer == 1 {
		in.rewinds = 0
		return true, nil
	}
	if in.rewinds >= maxRewinds {
		in.rewinds = 0
		in.warn("rewind", "giving up rewinding the consumer; order per series may slip",
			fmt.Errorf("deliveries still lost after %d rewinds (does another replica share consumer %s?)", maxRewinds, ConsumerName))
		return true, nil
	}
	in.mustRewind = true
	return false, fmt.Errorf("%d deliveries lost since the consumer was rewound; rewinding again", md.Sequence.Consumer-1)
}

// rewind resets the consumer to its acknowledgement floor and reports
// whether it did. An error (NATS unreachable, still starting) leaves the
// rewind due: the caller stores nothing until it succeeds. A server too old
// to reset a consumer gets a warning and no rewind; nothing is lost then,
// but order may slip.
func (in *Ingester) rewind(ctx context.Context) (bool, error) {
	if v := in.opts.Conn.ConnectedServerVersion(); !canResetConsumer(v) {
		in.mustRewind = false
		in.warn("rewind", "alerts lost in transit come back after the ack wait, possibly out of order",
			fmt.Errorf("nats-server %s cannot rewind a consumer; 2.14 or later can", v))
		return false, nil
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := in.js.ResetConsumer(rctx, protocol.StreamName, ConsumerName); err != nil {
		return false, fmt.Errorf("rewind consumer %s: %w", ConsumerName, err)
	}
	in.mustRewind, in.verifying = false, true
	in.rewinds++
	in.logger.Debug("rewound the consumer to the first unacknowledged alert", "consumer", ConsumerName)
	return true, nil
}

// canResetConsumer reports whether a server of version v (major.minor.patch)
// has the consumer reset API, added in nats-server 2.14.
func canResetConsumer(v string) bool {
	var major, minor int
	if _, err := fmt.Sscanf(v, "%d.%d", &major, &minor); err != nil {
		return false
	}
	return major > 2 || major == 2 && minor >= 14
}
