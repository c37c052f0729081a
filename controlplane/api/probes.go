package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// health answers as long as the process serves HTTP: a liveness probe
// must not fail because a dependency is down, or Kubernetes restarts a pod
// that a restart cannot fix.
func (h *handler) health(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// ready reports whether this replica can do its work: store reachable,
// NATS up, consumer running. Failing checks are named in the body.
func (h *handler) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"store": "ok"}
	allOK := true
	if err := h.opts.Store.Ping(ctx); err != nil {
		checks["store"] = err.Error()
		allOK = false
	}
	for _, chk := range h.opts.Checks {
		checks[chk.Name] = "ok"
		if !chk.Ready() {
			checks[chk.Name] = "not ready"
			allOK = false
		}
	}
	status, word := http.StatusOK, "ready"
	if !allOK {
		status, word = http.StatusServiceUnavailable, "not_ready"
	}
	c.JSON(status, gin.H{"status": word, "checks": checks})
}
