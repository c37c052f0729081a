package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/pynomaly/pynomaly/controlplane/desired"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

// DesiredStore keeps agents' desired states and the model versions they
// refer to (controlplane/desired).
type DesiredStore interface {
	Get(ctx context.Context, agentID string) (desired.Entry, error)
	Put(ctx context.Context, agentID string, d protocol.DesiredState) (desired.Entry, error)
	Delete(ctx context.Context, agentID string) error
	PutModel(ctx context.Context, name, version, detector string, r io.Reader) (desired.ModelInfo, error)
	Model(ctx context.Context, name, version string) (desired.ModelInfo, error)
}

// DesiredView is GET /api/v1/agents/{id}/desired: what the agent should
// run, and what it reported of it.
type DesiredView struct {
	desired.Entry
	// Applied is the agent's last report (nil before its first, or from
	// an agent that runs its own file).
	Applied *protocol.AppliedConfig `json:"applied"`
	// InSync: the agent runs exactly this desired state.
	InSync bool `json:"in_sync"`
}

// desiredRequest is the body of PUT /api/v1/agents/{id}/desired.
type desiredRequest struct {
	Pipeline string                     `json:"pipeline"`
	Models   []protocol.ModelAssignment `json:"models"`
}

func (h *handler) getDesired(c *gin.Context) {
	id := c.Param("id")
	if !h.validAgentID(c, id) {
		return
	}
	e, err := h.opts.Desired.Get(c.Request.Context(), id)
	if errors.Is(err, desired.ErrNotFound) {
		writeError(c, http.StatusNotFound, "not_found", "agent "+id+" has no desired state: it runs its own configuration file")
		return
	}
	if err != nil {
		h.internal(c, "get desired state", err)
		return
	}
	view := DesiredView{Entry: e}
	rec, err := h.opts.Store.GetAgent(c.Request.Context(), id)
	switch {
	case err == nil:
		view.Applied = rec.Config
		view.InSync = rec.Config != nil && rec.Config.RunningHash == e.Hash && rec.Config.Status == protocol.ConfigApplied
	case !errors.Is(err, store.ErrNotFound):
		h.internal(c, "get agent", err)
		return
	}
	c.JSON(http.StatusOK, view)
}

func (h *handler) putDesired(c *gin.Context) {
	id := c.Param("id")
	if !h.validAgentID(c, id) {
		return
	}
	var req desiredRequest
	if !h.decodeJSON(c, &req) {
		return
	}
	ds := protocol.DesiredState{Pipeline: req.Pipeline, Models: req.Models}
	// The digests come from the model store; clients name versions only.
	for i := range ds.Models {
		ds.Models[i].SHA256 = ""
	}
	e, err := h.opts.Desired.Put(c.Request.Context(), id, ds)
	switch {
	case errors.Is(err, desired.ErrModelNotFound):
		writeError(c, http.StatusBadRequest, "unknown_model", err.Error()+" (upload it first: PUT /api/v1/models/{name}/versions/{version})")
		return
	case err != nil && isValidation(err):
		writeError(c, http.StatusBadRequest, "invalid", err.Error())
		return
	case err != nil:
		h.internal(c, "put desired state", err)
		return
	}
	c.JSON(http.StatusOK, e)
}

// isValidation tells a refused request from a failure to carry it out.
func isValidation(err error) bool {
	var v *desired.InvalidError
	return errors.As(err, &v)
}

func (h *handler) deleteDesired(c *gin.Context) {
	id := c.Param("id")
	if !h.validAgentID(c, id) {
		return
	}
	if err := h.opts.Desired.Delete(c.Request.Context(), id); err != nil {
		h.internal(c, "delete desired state", err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handler) putModel(c *gin.Context) {
	name, version := c.Param("name"), c.Param("version")
	if err := protocol.ValidateModelRef(name, version); err != nil {
		writeError(c, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	info, err := h.opts.Desired.PutModel(c.Request.Context(), name, version, c.Query("detector"),
		http.MaxBytesReader(c.Writer, c.Request.Body, protocol.MaxModelBytes+1))
	switch {
	case errors.Is(err, desired.ErrTooLarge) || isTooLarge(err):
		writeError(c, http.StatusRequestEntityTooLarge, "too_large", "a model may have at most 64 MiB")
		return
	case errors.Is(err, desired.ErrModelExists):
		writeError(c, http.StatusConflict, "exists", err.Error())
		return
	case err != nil && isValidation(err):
		writeError(c, http.StatusBadRequest, "invalid", err.Error())
		return
	case err != nil:
		h.internal(c, "store model", err)
		return
	}
	c.JSON(http.StatusCreated, info)
}

func (h *handler) getModel(c *gin.Context) {
	name, version := c.Param("name"), c.Param("version")
	if err := protocol.ValidateModelRef(name, version); err != nil {
		writeError(c, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	info, err := h.opts.Desired.Model(c.Request.Context(), name, version)
	if errors.Is(err, desired.ErrModelNotFound) {
		writeError(c, http.StatusNotFound, "not_found", err.Error())
		return
	}
	if err != nil {
		h.internal(c, "get model", err)
		return
	}
	c.JSON(http.StatusOK, info)
}

func (h *handler) validAgentID(c *gin.Context, id string) bool {
	if err := protocol.ValidateAgentID(id); err != nil {
		writeError(c, http.StatusBadRequest, "invalid", err.Error())
		return false
	}
	return true
}

// decodeJSON decodes the request body into v, strictly: an unknown field
// is a 400 naming it, as a typo would otherwise be silently ignored.
func (h *handler) decodeJSON(c *gin.Context, v any) bool {
	dec := json.NewDecoder(c.Request.Body) // bounded by limitBody
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	switch {
	case isTooLarge(err):
		writeError(c, http.StatusRequestEntityTooLarge, "too_large", "request body: "+err.Error())
		return false
	case err != nil:
		writeError(c, http.StatusBadRequest, "invalid_json", "request body: "+err.Error())
		return false
	}
	return true
}

func (h *handler) internal(c *gin.Context, what string, err error) {
	h.logger.Error(what, "err", err, "path", c.Request.URL.Path)
	writeError(c, http.StatusInternalServerError, "internal", what+" failed")
}
