package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/pynomaly/pynomaly/controlplane/store"
)

// listAlerts serves GET /api/v1/alerts.
//
// Query parameters: agent, series (exact), from, to (RFC 3339, on the
// alert's timestamp; from inclusive, to exclusive), limit (1..1000, default
// 100), order (desc, the default, or asc: insertion order) and cursor (the
// next_cursor of a previous page).
func (h *handler) listAlerts(c *gin.Context) {
	q, err := parseAlertQuery(c)
	if err != nil {
		writeError(c, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	page, err := h.opts.Store.ListAlerts(c.Request.Context(), q)
	switch {
	case errors.Is(err, store.ErrBadCursor), errors.Is(err, store.ErrBadQuery):
		writeError(c, http.StatusBadRequest, "bad_request", err.Error())
		return
	case err != nil:
		h.logger.Error("list alerts", "err", err)
		writeError(c, http.StatusInternalServerError, "internal", "could not read alerts")
		return
	}
	c.JSON(http.StatusOK, page)
}

func parseAlertQuery(c *gin.Context) (store.AlertQuery, error) {
	q := store.AlertQuery{
		AgentID: c.Query("agent"),
		Series:  c.Query("series"),
		Cursor:  c.Query("cursor"),
		Order:   strings.ToLower(c.Query("order")),
	}
	var err error
	if q.From, err = parseTime(c, "from"); err != nil {
		return q, err
	}
	if q.To, err = parseTime(c, "to"); err != nil {
		return q, err
	}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return q, fmt.Errorf("limit %q: want an integer from 1 to 1000", s)
		}
		q.Limit = n
	}
	if q.Order != "" && q.Order != "asc" && q.Order != "desc" {
		return q, fmt.Errorf("order %q: want asc or desc", q.Order)
	}
	return q, nil
}

func parseTime(c *gin.Context, name string) (time.Time, error) {
	s := c.Query(name)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: want an RFC 3339 time such as 2026-01-02T15:04:05Z", name, s)
	}
	return t, nil
}
