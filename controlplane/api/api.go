package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pynomaly/pynomaly/controlplane/auth"
	"github.com/pynomaly/pynomaly/controlplane/store"
)

// Store is what the API reads.
type Store interface {
	Ping(ctx context.Context) error
	ListAlerts(ctx context.Context, q store.AlertQuery) (store.AlertPage, error)
	ListAgents(ctx context.Context, f store.AgentFilter) ([]store.AgentRecord, error)
	GetAgent(ctx context.Context, id string) (store.AgentRecord, error)
}

// Check is one named readiness condition, such as "nats" or "consumer".
type Check struct {
	Name  string
	Ready func() bool
}

// Options configures the HTTP handler.
type Options struct {
	Store Store
	// Desired serves agents' desired states and models; nil leaves their
	// routes out.
	Desired DesiredStore
	// Checks are evaluated, with a store ping, by /ready.
	Checks     []Check
	Gatherer   prometheus.Gatherer
	Registerer prometheus.Registerer
	Logger     *slog.Logger
	// Now is the clock used to derive agent status; nil means time.Now.
	Now func() time.Time
	// RateLimit bounds requests per client (429 with Retry-After beyond
	// it); the zero value is no limit. Probes and /metrics are exempt.
	RateLimit RateLimit
	// CORSOrigins are the origins browsers may call the API from, e.g.
	// https://ops.example.com; none: same-origin only.
	CORSOrigins []string
	// TrustedProxies are the addresses (or CIDRs) of reverse proxies whose
	// X-Forwarded-For names the client, for rate limiting and the audit
	// trail; none: the connection's address is the client's.
	TrustedProxies []string
	// MaxBodyBytes bounds request bodies but model uploads (64 MiB); 0
	// means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Fleet turns on enrollment, enrollment tokens, labels and unenroll;
	// it needs Auth. nil leaves those routes out.
	Fleet *Fleet
	// Policies turns on the policy routes, and renders an agent's
	// policies after its manual desired state is deleted; nil leaves them
	// out.
	Policies PolicyService
	// Auth turns on authentication, roles and the audit log, with the
	// login, user, API key and audit routes; the server always sets it.
	// nil (tests of other concerns) leaves every route open.
	Auth *Auth
}

type handler struct {
	opts   Options
	logger *slog.Logger
}

// New returns the HTTP handler serving every route.
func New(opts Options) (http.Handler, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if _, err := OpenAPI(); err != nil {
		return nil, err
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	// gin keeps its mode in a package variable; release mode only silences
	// its debug banner, it changes no behaviour we rely on.
	gin.SetMode(gin.ReleaseMode)
	h := &handler{opts: opts, logger: opts.Logger.With("component", "api")}
	r := gin.New()
	// gin trusts X-Forwarded-For from anyone by default, which would let
	// any client pick the address it is rate limited by.
	if err := r.SetTrustedProxies(opts.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	// Recovery runs inside the metrics middleware so that a panic is
	// counted as the 500 the client gets; so are refusals by the guards.
	r.Use(m.middleware(), h.recoverJSON)
	if len(opts.CORSOrigins) > 0 {
		cors, err := corsFor(opts.CORSOrigins)
		if err != nil {
			return nil, err
		}
		r.Use(cors)
	}
	if opts.RateLimit.Requests > 0 {
		if opts.RateLimit.Window <= 0 {
			return nil, fmt.Errorf("rate limit: window %s must be positive", opts.RateLimit.Window)
		}
		r.Use(h.rateLimit(newRateLimiter(opts.RateLimit)))
	}
	r.Use(limitBody(opts.MaxBodyBytes, map[string]bool{modelRoute: true}))
	r.NoRoute(func(c *gin.Context) {
		writeError(c, http.StatusNotFound, "not_found", "no route for "+c.Request.Method+" "+c.Request.URL.Path)
	})
	r.GET("/health", h.health)
	r.GET("/ready", h.ready)
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(opts.Gatherer, promhttp.HandlerOpts{})))
	v1 := r.Group("/api/v1")
	v1.GET("/openapi.json", h.openAPI)
	var api gin.IRoutes = v1
	if opts.Auth != nil {
		// Audit first: a call refused for its credentials is recorded too.
		v1.POST("/auth/login", h.audit, h.login)
		v1.POST("/auth/refresh", h.audit, h.refresh)
		if opts.Fleet != nil {
			v1.POST("/agents/enroll", h.audit, h.enroll)
		}
		api = v1.Group("", h.audit, h.authenticate)
	}
	// Every other route says the least role it needs.
	route := func(method, path, role string, f gin.HandlerFunc) { api.Handle(method, path, require(role), f) }
	route(http.MethodGet, "/alerts", auth.Viewer, h.listAlerts)
	route(http.MethodGet, "/agents", auth.Viewer, h.listAgents)
	route(http.MethodGet, "/agents/:id", auth.Viewer, h.getAgent)
	if opts.Desired != nil {
		route(http.MethodGet, "/agents/:id/desired", auth.Viewer, h.getDesired)
		route(http.MethodPut, "/agents/:id/desired", auth.Operator, h.putDesired)
		route(http.MethodDelete, "/agents/:id/desired", auth.Operator, h.thenRenderPolicies(h.deleteDesired))
		route(http.MethodPut, modelPath, auth.Operator, h.putModel)
		route(http.MethodGet, modelPath, auth.Viewer, h.getModel)
	}
	if opts.Auth != nil {
		route(http.MethodGet, "/users", auth.Admin, h.listUsers)
		route(http.MethodPost, "/users", auth.Admin, h.createUser)
		route(http.MethodDelete, "/users/:id", auth.Admin, h.deleteUser)
		route(http.MethodGet, "/api-keys", auth.Admin, h.listAPIKeys)
		route(http.MethodPost, "/api-keys", auth.Admin, h.createAPIKey)
		route(http.MethodDelete, "/api-keys/:id", auth.Admin, h.revokeAPIKey)
		route(http.MethodGet, "/audit", auth.Admin, h.listAudit)
	}
	if opts.Auth != nil && opts.Fleet != nil {
		route(http.MethodGet, "/enrollment-tokens", auth.Operator, h.listTokens)
		route(http.MethodPost, "/enrollment-tokens", auth.Operator, h.createToken)
		route(http.MethodDelete, "/enrollment-tokens/:id", auth.Operator, h.revokeToken)
		route(http.MethodPatch, "/agents/:id/labels", auth.Operator, h.relabel)
		route(http.MethodDelete, "/agents/:id", auth.Operator, h.unenroll)
	}
	if opts.Policies != nil {
		route(http.MethodGet, "/policies", auth.Viewer, h.listPolicies)
		route(http.MethodPost, "/policies", auth.Operator, h.createPolicy)
		route(http.MethodGet, "/policies/:name", auth.Viewer, h.getPolicy)
		route(http.MethodPut, "/policies/:name", auth.Operator, h.applyPolicy)
		route(http.MethodDelete, "/policies/:name", auth.Operator, h.deletePolicy)
		route(http.MethodGet, "/policies/:name/agents", auth.Viewer, h.policyAgents)
		route(http.MethodGet, "/policies/:name/revisions", auth.Viewer, h.policyRevisions)
		route(http.MethodPost, "/policies/:name/rollback", auth.Operator, h.rollbackPolicy)
	}
	return r, nil
}

// The model route takes bodies up to protocol.MaxModelBytes; modelRoute
// is its full template, as gin reports it.
const (
	modelPath  = "/models/:name/versions/:version"
	modelRoute = "/api/v1" + modelPath
)

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: a stable code and a message for people.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(c *gin.Context, status int, code, message string) {
	c.AbortWithStatusJSON(status, ErrorBody{Error: ErrorDetail{Code: code, Message: message}})
}

// recoverJSON turns a handler panic into a logged 500 with the usual JSON
// error body. http.ErrAbortHandler is re-raised: net/http uses it to drop
// the connection on purpose.
func (h *handler) recoverJSON(c *gin.Context) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		h.logger.Error("handler panicked", "err", fmt.Sprint(v), "method", c.Request.Method,
			"path", c.Request.URL.Path, "stack", string(debug.Stack()))
		writeError(c, http.StatusInternalServerError, "internal", "internal error")
	}()
	c.Next()
}
