package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/pynomaly/pynomaly/controlplane/policy"
	"github.com/pynomaly/pynomaly/controlplane/store"
)

// PolicyService keeps policies and renders agents' desired states from
// them (controlplane/policy).
type PolicyService interface {
	List(ctx context.Context) ([]store.Policy, error)
	Get(ctx context.Context, name string) (store.Policy, error)
	Revisions(ctx context.Context, name string) ([]store.Policy, error)
	Check(ctx context.Context, p store.Policy) error
	Create(ctx context.Context, p store.Policy, by string) (policy.Result, error)
	Apply(ctx context.Context, p store.Policy, by string) (policy.Result, error)
	Rollback(ctx context.Context, name string, to int64, by string) (policy.Result, error)
	Delete(ctx context.Context, name string) (policy.Result, error)
	Preview(ctx context.Context, p store.Policy) ([]policy.Match, error)
	AgentChanged(ctx context.Context, agentID string)
}

// PolicyRequest is the body of POST /api/v1/policies and PUT
// /api/v1/policies/{name}, where name may be left out.
type PolicyRequest struct {
	Name        string              `json:"name,omitempty"`
	Description string              `json:"description,omitempty"`
	Selector    string              `json:"selector"`
	Priority    int                 `json:"priority"`
	Pipeline    string              `json:"pipeline,omitempty"`
	Models      []store.PolicyModel `json:"models,omitempty"`
}

func (r PolicyRequest) policy() store.Policy {
	return store.Policy{Name: r.Name, Description: r.Description, Selector: r.Selector, Priority: r.Priority,
		Pipeline: r.Pipeline, Models: r.Models}
}

// PolicyPreview is which agents a policy applies to and what it gives
// them: GET /api/v1/policies/{name}/agents, and PUT with ?dry_run=true.
type PolicyPreview struct {
	Policy store.Policy   `json:"policy"`
	Agents []policy.Match `json:"agents"`
}

func (h *handler) listPolicies(c *gin.Context) {
	ps, err := h.opts.Policies.List(c.Request.Context())
	if err != nil {
		h.internal(c, "list policies", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"policies": ps})
}

func (h *handler) getPolicy(c *gin.Context) {
	p, err := h.opts.Policies.Get(c.Request.Context(), c.Param("name"))
	if err != nil {
		h.policyError(c, "get policy", err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *handler) policyRevisions(c *gin.Context) {
	ps, err := h.opts.Policies.Revisions(c.Request.Context(), c.Param("name"))
	if err != nil {
		h.policyError(c, "policy revisions", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"revisions": ps})
}

func (h *handler) policyAgents(c *gin.Context) {
	p, err := h.opts.Policies.Get(c.Request.Context(), c.Param("name"))
	if err != nil {
		h.policyError(c, "get policy", err)
		return
	}
	h.preview(c, p)
}

func (h *handler) preview(c *gin.Context, p store.Policy) {
	ms, err := h.opts.Policies.Preview(c.Request.Context(), p)
	if err != nil {
		h.internal(c, "preview policy", err)
		return
	}
	c.JSON(http.StatusOK, PolicyPreview{Policy: p, Agents: ms})
}

func (h *handler) createPolicy(c *gin.Context) {
	var req PolicyRequest
	if !h.decodeJSON(c, &req) {
		return
	}
	res, err := h.opts.Policies.Create(c.Request.Context(), req.policy(), principalName(c))
	if err != nil {
		h.policyError(c, "create policy", err)
		return
	}
	c.JSON(http.StatusCreated, res)
}

// applyPolicy serves PUT /api/v1/policies/{name}: create or update; with
// ?dry_run=true, check and preview without storing.
func (h *handler) applyPolicy(c *gin.Context) {
	var req PolicyRequest
	if !h.decodeJSON(c, &req) {
		return
	}
	name := c.Param("name")
	if req.Name != "" && req.Name != name {
		writeError(c, http.StatusBadRequest, "invalid", "the body names policy "+req.Name+", the path "+name)
		return
	}
	req.Name = name
	ctx := c.Request.Context()
	if dry, _ := strconv.ParseBool(c.Query("dry_run")); dry {
		if err := h.opts.Policies.Check(ctx, req.policy()); err != nil {
			h.policyError(c, "check policy", err)
			return
		}
		h.preview(c, req.policy())
		return
	}
	res, err := h.opts.Policies.Apply(ctx, req.policy(), principalName(c))
	if err != nil {
		h.policyError(c, "apply policy", err)
		return
	}
	status := http.StatusOK
	if res.Changed && res.Policy.Revision == 1 {
		status = http.StatusCreated
	}
	c.JSON(status, res)
}

// rollbackRequest is the body of POST /api/v1/policies/{name}/rollback.
type rollbackRequest struct {
	// Revision to restore; 0 for the one before the current.
	Revision int64 `json:"revision"`
}

func (h *handler) rollbackPolicy(c *gin.Context) {
	var req rollbackRequest
	if !h.decodeJSON(c, &req) {
		return
	}
	res, err := h.opts.Policies.Rollback(c.Request.Context(), c.Param("name"), req.Revision, principalName(c))
	if err != nil {
		h.policyError(c, "roll back policy", err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (h *handler) deletePolicy(c *gin.Context) {
	res, err := h.opts.Policies.Delete(c.Request.Context(), c.Param("name"))
	if err != nil {
		h.policyError(c, "delete policy", err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (h *handler) policyError(c *gin.Context, what string, err error) {
	var invalid *policy.InvalidError
	switch {
	case errors.As(err, &invalid):
		writeError(c, http.StatusBadRequest, "invalid", err.Error())
	case errors.Is(err, policy.ErrUnknownModel):
		writeError(c, http.StatusBadRequest, "unknown_model", err.Error())
	case errors.Is(err, store.ErrExists):
		writeError(c, http.StatusConflict, "exists", err.Error()+" (change it with PUT /api/v1/policies/{name})")
	case errors.Is(err, store.ErrNotFound):
		writeError(c, http.StatusNotFound, "not_found", err.Error())
	default:
		h.internal(c, what, err)
	}
}

// thenRenderPolicies follows a successful DELETE
// /api/v1/agents/{id}/desired with a render of the agent's policies:
// deleting a desired state set by hand gives the agent back to them.
func (h *handler) thenRenderPolicies(f gin.HandlerFunc) gin.HandlerFunc {
	if h.opts.Policies == nil {
		return f
	}
	return func(c *gin.Context) {
		f(c)
		if !c.IsAborted() && c.Writer.Status() == http.StatusNoContent {
			h.opts.Policies.AgentChanged(context.WithoutCancel(c.Request.Context()), c.Param("id"))
		}
	}
}
