package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

// Agent statuses derived from heartbeats.
const (
	StatusOnline = "online"
	// StatusDegraded is an online agent one of whose parts (an input, a
	// detector, its outbox) is not ok.
	StatusDegraded = "degraded"
	StatusOffline  = "offline"
)

// clockSkewLimit is how far an agent's clock may be from the control
// plane's before it is flagged: beyond it, its alert times and its outbox
// age are suspect.
const clockSkewLimit = 10 * time.Second

// missedHeartbeats is how many intervals may pass without a heartbeat
// before an agent counts as offline; jitterSlack absorbs network and
// scheduling delay on top, so one late heartbeat does not flap the status.
const (
	missedHeartbeats = 3
	jitterSlack      = 2 * time.Second
)

// Agent is one agent as GET /api/v1/agents shows it.
type Agent struct {
	store.AgentRecord
	Status string `json:"status"`
	// ClockSkewSeconds is the agent's clock minus the control plane's at
	// the last heartbeat (the heartbeat's transit, usually milliseconds,
	// included).
	ClockSkewSeconds float64 `json:"clock_skew_seconds"`
	// ClockSkewed flags a skew beyond 10 s either way.
	ClockSkewed bool `json:"clock_skewed"`
}

// newAgent derives what the API shows beyond the stored heartbeat.
func newAgent(r store.AgentRecord, now time.Time) Agent {
	skew := r.AgentClock.Sub(r.LastHeartbeat)
	return Agent{AgentRecord: r, Status: agentStatus(r, now), ClockSkewSeconds: skew.Seconds(),
		ClockSkewed: skew > clockSkewLimit || skew < -clockSkewLimit}
}

// listAgents serves GET /api/v1/agents.
func (h *handler) listAgents(c *gin.Context) {
	recs, err := h.opts.Store.ListAgents(c.Request.Context())
	if err != nil {
		h.logger.Error("list agents", "err", err)
		writeError(c, http.StatusInternalServerError, "internal", "could not read agents")
		return
	}
	now := h.opts.Now()
	agents := make([]Agent, 0, len(recs))
	for _, r := range recs {
		agents = append(agents, newAgent(r, now))
	}
	c.JSON(http.StatusOK, gin.H{"agents": agents})
}

func agentStatus(r store.AgentRecord, now time.Time) string {
	interval := time.Duration(r.IntervalSeconds * float64(time.Second))
	if now.Sub(r.LastHeartbeat) > missedHeartbeats*interval+jitterSlack {
		return StatusOffline
	}
	parts := append(append([]protocol.ComponentHealth(nil), r.Inputs...), r.Detectors...)
	if r.Outbox != nil {
		parts = append(parts, *r.Outbox)
	}
	for _, p := range parts {
		if p.Status != protocol.HealthOK {
			return StatusDegraded
		}
	}
	return StatusOnline
}
