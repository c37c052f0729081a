package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
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
// It filters by status (online, degraded, offline; comma-separated for
// several), version (exact), and seen_since (RFC 3339: a heartbeat at or
// after it).
func (h *handler) listAgents(c *gin.Context) {
	var (
		statuses map[string]bool
		since    time.Time
	)
	if v := c.Query("status"); v != "" {
		statuses = map[string]bool{}
		for _, s := range strings.Split(v, ",") {
			if s != StatusOnline && s != StatusDegraded && s != StatusOffline {
				writeError(c, http.StatusBadRequest, "bad_request", "status "+strconv.Quote(s)+": want online, degraded or offline")
				return
			}
			statuses[s] = true
		}
	}
	if v := c.Query("seen_since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			writeError(c, http.StatusBadRequest, "bad_request", "seen_since "+strconv.Quote(v)+": want an RFC 3339 time, e.g. 2026-11-27T06:00:00Z")
			return
		}
		since = t
	}
	version := c.Query("version")
	recs, err := h.opts.Store.ListAgents(c.Request.Context())
	if err != nil {
		h.internal(c, "list agents", err)
		return
	}
	now := h.opts.Now()
	agents := make([]Agent, 0, len(recs))
	for _, r := range recs {
		a := newAgent(r, now)
		if (statuses != nil && !statuses[a.Status]) || (version != "" && a.Version != version) || a.LastHeartbeat.Before(since) {
			continue
		}
		agents = append(agents, a)
	}
	c.JSON(http.StatusOK, gin.H{"agents": agents})
}

// getAgent serves GET /api/v1/agents/{id}.
func (h *handler) getAgent(c *gin.Context) {
	id := c.Param("id")
	if !h.validAgentID(c, id) {
		return
	}
	r, err := h.opts.Store.GetAgent(c.Request.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(c, http.StatusNotFound, "not_found", "agent "+id+" has never reported in")
		return
	}
	if err != nil {
		h.internal(c, "get agent", err)
		return
	}
	c.JSON(http.StatusOK, newAgent(r, h.opts.Now()))
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
