package uplink

import (
	"context"
	"encoding/json"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/pynomaly/pynomaly/protocol"
)

// heartbeats publishes a heartbeat at once and then every interval while
// connected. Missed heartbeats are not queued: only the latest state matters.
func (u *Uplink) heartbeats(ctx context.Context, nc *nats.Conn) {
	t := time.NewTicker(u.opts.HeartbeatInterval)
	defer t.Stop()
	for {
		if nc.IsConnected() {
			u.sendHeartbeat(nc)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (u *Uplink) sendHeartbeat(nc *nats.Conn) {
	hb := u.opts.Heartbeat()
	hb.Version = protocol.HeartbeatVersion
	hb.AgentID = u.opts.AgentID
	hb.SentAt = time.Now().UTC()
	hb.IntervalSeconds = u.opts.HeartbeatInterval.Seconds()
	hb.OutboxDepth = u.opts.Outbox.Depth()
	hb.OutboxOldestSeconds = u.opts.Outbox.OldestAge().Seconds()
	b, err := json.Marshal(hb)
	if err != nil {
		u.warn("heartbeat", "encode heartbeat", err)
		return
	}
	if err := nc.Publish(protocol.HeartbeatSubject(u.opts.AgentID), b); err != nil {
		u.warn("heartbeat", "send heartbeat", err)
	}
}
