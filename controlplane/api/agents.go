package api

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/pynomaly/pynomaly/controlplane/fleet"
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
	// StatusPending is an enrolled agent that has not reported in yet.
	StatusPending = "pending"
)

var agentStatuses = []string{StatusOnline, StatusDegraded, StatusOffline, StatusPending}

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

// Agents are listed in pages: DefaultAgentsLimit a page unless the
// client asks for up to MaxAgentsLimit.
const (
	DefaultAgentsLimit = 100
	MaxAgentsLimit     = 1000
)

// agentsQuery is GET /api/v1/agents' filter.
type agentsQuery struct {
	statuses map[string]bool
	since    time.Time
	version  string
	selector fleet.Selector
	limit    int
	after    string
}

func (q agentsQuery) matches(a Agent) bool {
	return (q.statuses == nil || q.statuses[a.Status]) && (q.version == "" || a.Version == q.version) &&
		!a.LastHeartbeat.Before(q.since) && q.selector.Matches(a.Labels)
}

func parseAgentsQuery(c *gin.Context) (agentsQuery, error) {
	q := agentsQuery{version: c.Query("version"), limit: DefaultAgentsLimit}
	if v := c.Query("status"); v != "" {
		q.statuses = map[string]bool{}
		for _, s := range strings.Split(v, ",") {
			if !slices.Contains(agentStatuses, s) {
				return q, fmt.Errorf("status %q: want %s", s, strings.Join(agentStatuses, ", "))
			}
			q.statuses[s] = true
		}
	}
	if v := c.Query("seen_since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return q, fmt.Errorf("seen_since %q: want an RFC 3339 time, e.g. 2026-11-27T06:00:00Z", v)
		}
		q.since = t
	}
	sel, err := labelQuery(c)
	if err != nil {
		return q, err
	}
	q.selector = sel
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxAgentsLimit {
			return q, fmt.Errorf("limit %q: want 1 to %d", v, MaxAgentsLimit)
		}
		q.limit = n
	}
	if v := c.Query("cursor"); v != "" {
		id, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || protocol.ValidateAgentID(string(id)) != nil {
			return q, fmt.Errorf("cursor %q: not one this server gave", v)
		}
		q.after = string(id)
	}
	return q, nil
}

// listAgents serves GET /api/v1/agents.
// It filters by labels (label=name=value, repeatable, and selector= in
// Kubernetes' syntax), status (comma-separated), version (exact) and
// seen_since (RFC 3339: a heartbeat at or after it), a page at a time in
// id order; next_cursor, when present, fetches the next page.
func (h *handler) listAgents(c *gin.Context) {
	q, err := parseAgentsQuery(c)
	if err != nil {
		writeError(c, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	// The store answers the label equalities from an index; status, the
	// other filters and the rest of the selector are applied here, reading
	// on until the page is full.
	f := store.AgentFilter{Labels: q.selector.Equalities(), After: q.after, Limit: q.limit + 1}
	now := h.opts.Now()
	agents := make([]Agent, 0, q.limit)
	more := false
	for {
		recs, err := h.opts.Store.ListAgents(c.Request.Context(), f)
		if err != nil {
			h.internal(c, "list agents", err)
			return
		}
		for _, r := range recs {
			if a := newAgent(r, now); q.matches(a) {
				if len(agents) == q.limit {
					more = true
					break
				}
				agents = append(agents, a)
			}
		}
		if more || len(recs) < f.Limit {
			break
		}
		f.After = recs[len(recs)-1].ID
	}
	// Encoded by hand (agentjson.go), as encoding/json would: the same
	// bytes at a fraction of the CPU.
	b := make([]byte, 0, 512*len(agents)+64)
	b = append(b, `{"agents":[`...)
	for i, a := range agents {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = appendAgentJSON(b, a); err != nil {
			h.internal(c, "encode agents", err)
			return
		}
	}
	b = append(b, ']')
	if more {
		b = append(b, `,"next_cursor":`...)
		b = appendJSONString(b, base64.RawURLEncoding.EncodeToString([]byte(agents[len(agents)-1].ID)))
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", append(b, '}'))
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
	if r.LastHeartbeat.IsZero() && !r.EnrolledAt.IsZero() {
		return StatusPending
	}
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
