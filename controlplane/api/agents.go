package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/pynomaly/pynomaly/controlplane/store"
)

// Agent statuses derived from heartbeats.
const (
	StatusOnline  = "online"
	StatusOffline = "offline"
)

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
		agents = append(agents, Agent{AgentRecord: r, Status: agentStatus(r, now)})
	}
	c.JSON(http.StatusOK, gin.H{"agents": agents})
}

func agentStatus(r store.AgentRecord, now time.Time) string {
	interval := time.Duration(r.IntervalSeconds * float64(time.Second))
	if now.Sub(r.LastHeartbeat) > missedHeartbeats*interval+jitterSlack {
		return StatusOffline
	}
	return StatusOnline
}
