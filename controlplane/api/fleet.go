package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/pynomaly/pynomaly/controlplane/auth"
	"github.com/pynomaly/pynomaly/controlplane/fleet"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

// FleetStore is what enrollment and fleet management need from the store.
type FleetStore interface {
	CreateEnrollmentToken(ctx context.Context, t store.EnrollmentToken) error
	ListEnrollmentTokens(ctx context.Context) ([]store.EnrollmentToken, error)
	RevokeEnrollmentToken(ctx context.Context, id string, at time.Time) error
	Enroll(ctx context.Context, e store.Enrollment) (store.Enrolled, error)
	UpdateLabels(ctx context.Context, id string, set map[string]string, remove []string) (map[string]string, error)
	Unenroll(ctx context.Context, id string, at time.Time) error
}

// Fleet turns on enrollment and fleet management (tokens, labels,
// unenroll). It needs Auth: tokens and agent secrets are hashed with its
// keys.
type Fleet struct {
	Store FleetStore
	// NATSURLs are the addresses enrolled agents are told to connect to;
	// it gets the enrollment request, whose Host may be all there is to
	// go by.
	NATSURLs func(r *http.Request) []string
	// Disconnect cuts an agent's NATS connections at once, after it was
	// unenrolled or re-enrolled with a new secret.
	Disconnect func(ctx context.Context, agentID string) error
	// Unavailable, when set, is why enrollment cannot work here (NATS
	// does not admit enrolled agents); enroll answers 503 with it.
	Unavailable string
	// Changed is told when an agent's labels or enrollment changed, so
	// its policies are rendered again; nil: nothing to tell.
	Changed func(ctx context.Context, agentID string)
}

// maxTokenTTL bounds how long an enrollment token may live: a token is a
// key to the fleet, and one that never expires is forgotten in a script.
const maxTokenTTL = 365 * 24 * time.Hour

type tokenRequest struct {
	Description string            `json:"description"`
	Labels      map[string]string `json:"labels"`
	Policy      string            `json:"policy"`
	// TTL is how long the token is valid, as a Go duration ("24h"); empty
	// means 24h.
	TTL     string `json:"ttl"`
	MaxUses int64  `json:"max_uses"`
}

// createToken serves POST /api/v1/enrollment-tokens; the token is in this
// answer only.
func (h *handler) createToken(c *gin.Context) {
	var req tokenRequest
	if !h.decodeJSON(c, &req) {
		return
	}
	ttl := 24 * time.Hour
	if req.TTL != "" {
		d, err := time.ParseDuration(req.TTL)
		if err != nil || d <= 0 || d > maxTokenTTL {
			writeError(c, http.StatusBadRequest, "invalid", "ttl "+req.TTL+": want a duration from 1s to 8760h, e.g. 24h")
			return
		}
		ttl = d
	}
	if len(req.Description) > 256 {
		writeError(c, http.StatusBadRequest, "invalid", "description: at most 256 characters")
		return
	}
	if err := fleet.ValidateLabels(req.Labels); err != nil {
		writeError(c, http.StatusBadRequest, "invalid", "labels: "+err.Error())
		return
	}
	if req.Policy != "" {
		if err := fleet.ValidatePolicyName(req.Policy); err != nil {
			writeError(c, http.StatusBadRequest, "invalid", err.Error())
			return
		}
	}
	if req.MaxUses < 0 {
		writeError(c, http.StatusBadRequest, "invalid", "max_uses: 0 (no bound) or more")
		return
	}
	if req.Labels == nil {
		req.Labels = map[string]string{}
	}
	token, hash := h.opts.Auth.Keys.NewEnrollmentToken()
	now := h.opts.Now().UTC()
	t := store.EnrollmentToken{ID: auth.NewID(), TokenHash: hash, Description: req.Description, Labels: req.Labels,
		Policy: req.Policy, MaxUses: req.MaxUses, CreatedBy: principalName(c), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := h.opts.Fleet.Store.CreateEnrollmentToken(c.Request.Context(), t); err != nil {
		h.internal(c, "create enrollment token", err)
		return
	}
	c.JSON(http.StatusCreated, struct {
		store.EnrollmentToken
		Token string `json:"token"`
	}{t, token})
}

func (h *handler) listTokens(c *gin.Context) {
	ts, err := h.opts.Fleet.Store.ListEnrollmentTokens(c.Request.Context())
	if err != nil {
		h.internal(c, "list enrollment tokens", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"tokens": ts})
}

func (h *handler) revokeToken(c *gin.Context) {
	err := h.opts.Fleet.Store.RevokeEnrollmentToken(c.Request.Context(), c.Param("id"), h.opts.Now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		writeError(c, http.StatusNotFound, "not_found", "no enrollment token "+c.Param("id"))
		return
	}
	if err != nil {
		h.internal(c, "revoke enrollment token", err)
		return
	}
	c.Status(http.StatusNoContent)
}

// enroll serves POST /api/v1/agents/enroll: the token is the credential.
func (h *handler) enroll(c *gin.Context) {
	var req protocol.EnrollRequest
	if !h.decodeJSON(c, &req) {
		return
	}
	c.Set(actorKey, "agent:"+req.AgentID)
	if h.opts.Fleet.Unavailable != "" {
		writeError(c, http.StatusServiceUnavailable, "unavailable", h.opts.Fleet.Unavailable)
		return
	}
	if err := protocol.ValidateAgentID(req.AgentID); err != nil {
		writeError(c, http.StatusBadRequest, "invalid", "agent_id: "+err.Error())
		return
	}
	if req.Token == "" {
		writeError(c, http.StatusUnauthorized, "unauthorized", "no enrollment token: create one with pynomaly tokens create")
		return
	}
	if len(req.Hostname) > 255 || len(req.AgentVersion) > 64 {
		writeError(c, http.StatusBadRequest, "invalid", "hostname (255) or agent_version (64) too long")
		return
	}
	keys := h.opts.Auth.Keys
	secret, secretHash := keys.NewAgentSecret()
	e := store.Enrollment{TokenHash: keys.Hash(req.Token), AgentID: req.AgentID, Hostname: req.Hostname,
		Version: req.AgentVersion, SecretHash: secretHash, Now: h.opts.Now().UTC()}
	if p := req.Previous; p != nil && p.AgentID != "" {
		e.PreviousID, e.PreviousSecretHash = p.AgentID, keys.Hash(p.Secret)
	}
	ctx := c.Request.Context()
	got, err := h.opts.Fleet.Store.Enroll(ctx, e)
	for _, tokenErr := range []error{store.ErrTokenUnknown, store.ErrTokenRevoked, store.ErrTokenExpired, store.ErrTokenUsedUp} {
		if errors.Is(err, tokenErr) {
			writeError(c, http.StatusUnauthorized, "unauthorized", tokenErr.Error())
			return
		}
	}
	if err != nil {
		h.internal(c, "enroll", err)
		return
	}
	if got.Replaced {
		// The old secret no longer passes; its sessions end now.
		h.disconnect(ctx, got.AgentID)
	}
	h.changed(ctx, got.AgentID)
	h.logger.Info("agent enrolled", "agent_id", got.AgentID, "asked_for", req.AgentID, "replaced", got.Replaced, "client", c.ClientIP())
	c.JSON(http.StatusCreated, protocol.EnrollResponse{
		AgentCredentials: protocol.AgentCredentials{AgentID: got.AgentID, Secret: secret},
		NATSURLs:         h.opts.Fleet.NATSURLs(c.Request), Labels: got.Labels, Replaced: got.Replaced,
	})
}

// labelRequest is PATCH /api/v1/agents/{id}/labels.
type labelRequest struct {
	Set    map[string]string `json:"set"`
	Remove []string          `json:"remove"`
}

func (h *handler) relabel(c *gin.Context) {
	id := c.Param("id")
	if !h.validAgentID(c, id) {
		return
	}
	var req labelRequest
	if !h.decodeJSON(c, &req) {
		return
	}
	if err := fleet.ValidateLabels(req.Set); err != nil {
		writeError(c, http.StatusBadRequest, "invalid", "set: "+err.Error())
		return
	}
	if k := slices.IndexFunc(req.Remove, func(k string) bool { _, both := req.Set[k]; return both }); k >= 0 {
		writeError(c, http.StatusBadRequest, "invalid", "label "+req.Remove[k]+" is both set and removed")
		return
	}
	labels, err := h.opts.Fleet.Store.UpdateLabels(c.Request.Context(), id, req.Set, req.Remove)
	if errors.Is(err, store.ErrNotFound) {
		writeError(c, http.StatusNotFound, "not_found", "no agent "+id)
		return
	}
	if err != nil {
		h.internal(c, "label agent", err)
		return
	}
	h.changed(c.Request.Context(), id)
	c.JSON(http.StatusOK, gin.H{"agent_id": id, "labels": labels})
}

// unenroll serves DELETE /api/v1/agents/{id}: the agent's credentials stop
// working and its connections are cut; its alerts stay.
func (h *handler) unenroll(c *gin.Context) {
	id := c.Param("id")
	if !h.validAgentID(c, id) {
		return
	}
	ctx := c.Request.Context()
	err := h.opts.Fleet.Store.Unenroll(ctx, id, h.opts.Now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		writeError(c, http.StatusNotFound, "not_found", "no agent "+id)
		return
	}
	if err != nil {
		h.internal(c, "unenroll agent", err)
		return
	}
	h.disconnect(ctx, id)
	h.changed(ctx, id)
	c.Status(http.StatusNoContent)
}

// disconnect cuts an agent's sessions. A failure is logged, not returned:
// the credentials are already void, so the agent cannot come back.
func (h *handler) disconnect(ctx context.Context, id string) {
	if h.opts.Fleet.Disconnect == nil {
		return
	}
	if err := h.opts.Fleet.Disconnect(ctx, id); err != nil {
		h.logger.Warn("could not cut an agent's NATS connections; they end when their session does", "agent_id", id, "err", err)
	}
}

func (h *handler) changed(ctx context.Context, id string) {
	if h.opts.Fleet.Changed != nil {
		h.opts.Fleet.Changed(context.WithoutCancel(ctx), id)
	}
}

// labelQuery reads ?label=name=value (repeatable) and ?selector=... into
// one selector.
func labelQuery(c *gin.Context) (fleet.Selector, error) {
	parts := c.QueryArray("label")
	if s := c.Query("selector"); s != "" {
		parts = append(parts, s)
	}
	return fleet.ParseSelector(strings.Join(parts, ","))
}
