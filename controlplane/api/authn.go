package api

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/pynomaly/pynomaly/controlplane/auth"
	"github.com/pynomaly/pynomaly/controlplane/store"
)

// Users is what authentication and the user, key and audit routes need
// from the store.
type Users interface {
	CreateUser(ctx context.Context, u store.User) error
	UserByName(ctx context.Context, name string) (store.User, error)
	GetUser(ctx context.Context, id string) (store.User, error)
	ListUsers(ctx context.Context) ([]store.User, error)
	DeleteUser(ctx context.Context, id string) error
	CreateAPIKey(ctx context.Context, k store.APIKey) error
	APIKeyByHash(ctx context.Context, hash string) (store.APIKey, error)
	ListAPIKeys(ctx context.Context) ([]store.APIKey, error)
	RevokeAPIKey(ctx context.Context, id string, at time.Time) error
	SaveRefreshToken(ctx context.Context, hash, userID string, expires time.Time) error
	UseRefreshToken(ctx context.Context, hash string, now time.Time) (string, error)
	AppendAudit(ctx context.Context, e store.AuditEntry) error
	ListAudit(ctx context.Context, before int64, limit int) ([]store.AuditEntry, error)
}

// Auth turns on authentication and roles: every /api/v1 route but login,
// refresh and the OpenAPI document needs a user's token or an API key
// with the route's role, and every mutating call is written to the audit
// log.
type Auth struct {
	Keys  auth.Keys
	Users Users
}

const principalKey = "pynomaly.principal"

// actorKey holds, for calls made without credentials (login), who they
// claim to be, for the audit log.
const actorKey = "pynomaly.actor"

// authenticate finds who a request is from, or answers 401.
func (h *handler) authenticate(c *gin.Context) {
	a := h.opts.Auth
	tok, ok := bearer(c.Request)
	if !ok {
		c.Header("WWW-Authenticate", `Bearer realm="pynomaly"`)
		writeError(c, http.StatusUnauthorized, "unauthorized", "credentials required: Authorization: Bearer <token or API key>, or X-API-Key")
		return
	}
	p, err := h.principal(c.Request.Context(), a, tok)
	if err != nil {
		c.Header("WWW-Authenticate", `Bearer realm="pynomaly", error="invalid_token"`)
		writeError(c, http.StatusUnauthorized, "unauthorized", "invalid credentials: "+err.Error())
		return
	}
	c.Set(principalKey, p)
}

func bearer(r *http.Request) (string, bool) {
	if k := r.Header.Get("X-API-Key"); k != "" {
		return k, true
	}
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// principal checks a token or key. A user's token is checked against the
// user as stored now, so deleting a user cuts it off at once and a role
// change applies at once; a revoked key fails at once.
func (h *handler) principal(ctx context.Context, a *Auth, tok string) (auth.Principal, error) {
	if auth.IsAPIKey(tok) {
		k, err := a.Users.APIKeyByHash(ctx, a.Keys.Hash(tok))
		if err != nil {
			return auth.Principal{}, errors.New("unknown or revoked API key")
		}
		return auth.Principal{Kind: "api_key", ID: k.ID, Name: "key:" + k.Name, Role: k.Role}, nil
	}
	p, err := a.Keys.ParseAccess(tok, h.opts.Now())
	if err != nil {
		return auth.Principal{}, err
	}
	u, err := a.Users.GetUser(ctx, p.ID)
	if err != nil {
		return auth.Principal{}, errors.New("the token's user no longer exists")
	}
	p.Role, p.Name = u.Role, u.Username
	return p, nil
}

// require answers 403 unless the caller's role allows need.
func require(need string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, ok := c.Get(principalKey)
		if !ok { // authentication is off (tests of other concerns)
			return
		}
		if pr := p.(auth.Principal); !auth.Allows(pr.Role, need) {
			writeError(c, http.StatusForbidden, "forbidden", "role "+pr.Role+" may not "+c.Request.Method+" "+c.FullPath()+": it needs "+need)
		}
	}
}

// principalName is who made the call, for records: the authenticated
// user or key, else "anonymous".
func principalName(c *gin.Context) string {
	if p, ok := c.Get(principalKey); ok {
		return p.(auth.Principal).Name
	}
	return "anonymous"
}

// audit records every mutating call, after it, with its result.
func (h *handler) audit(c *gin.Context) {
	c.Next()
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return
	}
	actor := principalName(c)
	if _, ok := c.Get(principalKey); !ok {
		if a, ok := c.Get(actorKey); ok {
			actor = a.(string) // who an unauthenticated call says it is
		}
	}
	e := store.AuditEntry{At: h.opts.Now().UTC(), Actor: actor, Method: c.Request.Method, Route: c.FullPath(),
		Path: c.Request.URL.Path, Status: c.Writer.Status(), Client: c.ClientIP()}
	// Recorded even when the client went away: context.WithoutCancel.
	if err := h.opts.Auth.Users.AppendAudit(context.WithoutCancel(c.Request.Context()), e); err != nil {
		h.logger.Error("audit log write failed", "err", err, "entry", e)
	}
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Role         string `json:"role"`
}

// login exchanges a user name and password for tokens.
func (h *handler) login(c *gin.Context) {
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if !h.decodeJSON(c, &req) {
		return
	}
	c.Set(actorKey, "login:"+req.Username)
	u, err := h.opts.Auth.Users.UserByName(c.Request.Context(), req.Username)
	switch {
	case errors.Is(err, store.ErrNotFound):
		auth.SpendTime(req.Password) // the same time as a wrong password
	case err != nil:
		h.internal(c, "login", err)
		return
	case auth.PasswordMatches(u.PasswordHash, req.Password):
		h.issueTokens(c, u)
		return
	}
	writeError(c, http.StatusUnauthorized, "invalid_credentials", "wrong user name or password")
}

// refresh exchanges a refresh token, once, for new tokens.
func (h *handler) refresh(c *gin.Context) {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if !h.decodeJSON(c, &req) {
		return
	}
	a := h.opts.Auth
	id, err := a.Users.UseRefreshToken(c.Request.Context(), a.Keys.Hash(req.RefreshToken), h.opts.Now())
	if err != nil {
		writeError(c, http.StatusUnauthorized, "invalid_credentials", "unknown, used or expired refresh token: log in again")
		return
	}
	u, err := a.Users.GetUser(c.Request.Context(), id)
	if err != nil {
		writeError(c, http.StatusUnauthorized, "invalid_credentials", "the refresh token's user no longer exists")
		return
	}
	c.Set(actorKey, u.Username)
	h.issueTokens(c, u)
}

func (h *handler) issueTokens(c *gin.Context, u store.User) {
	a, now := h.opts.Auth, h.opts.Now()
	access, err := a.Keys.IssueAccess(auth.Principal{Kind: "user", ID: u.ID, Name: u.Username, Role: u.Role}, now)
	if err != nil {
		h.internal(c, "issue token", err)
		return
	}
	refresh, hash := a.Keys.NewRefreshToken()
	if err := a.Users.SaveRefreshToken(c.Request.Context(), hash, u.ID, now.Add(auth.RefreshTTL)); err != nil {
		h.internal(c, "issue token", err)
		return
	}
	c.JSON(http.StatusOK, tokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(auth.AccessTTL.Seconds()),
		RefreshToken: refresh, Role: u.Role})
}

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// NewUser validates and hashes a user to create; the API and the CLI's
// first-admin path share it.
func NewUser(username, password, role string, now time.Time) (store.User, error) {
	if !usernameRE.MatchString(username) {
		return store.User{}, errors.New("username: 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit")
	}
	if !auth.ValidRole(role) {
		return store.User{}, errors.New("role: one of viewer, operator, admin")
	}
	if err := auth.CheckPassword(password); err != nil {
		return store.User{}, err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return store.User{}, err
	}
	return store.User{ID: auth.NewID(), Username: username, PasswordHash: hash, Role: role, CreatedAt: now.UTC()}, nil
}

func (h *handler) createUser(c *gin.Context) {
	var req struct{ Username, Password, Role string }
	if !h.decodeJSON(c, &req) {
		return
	}
	u, err := NewUser(req.Username, req.Password, req.Role, h.opts.Now())
	if err != nil {
		writeError(c, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	switch err := h.opts.Auth.Users.CreateUser(c.Request.Context(), u); {
	case errors.Is(err, store.ErrExists):
		writeError(c, http.StatusConflict, "exists", "user "+u.Username+" exists")
	case err != nil:
		h.internal(c, "create user", err)
	default:
		c.JSON(http.StatusCreated, u)
	}
}

func (h *handler) listUsers(c *gin.Context) {
	us, err := h.opts.Auth.Users.ListUsers(c.Request.Context())
	if err != nil {
		h.internal(c, "list users", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"users": us})
}

func (h *handler) deleteUser(c *gin.Context) {
	switch err := h.opts.Auth.Users.DeleteUser(c.Request.Context(), c.Param("id")); {
	case errors.Is(err, store.ErrNotFound):
		writeError(c, http.StatusNotFound, "not_found", "no user "+c.Param("id"))
	case err != nil:
		h.internal(c, "delete user", err)
	default:
		c.Status(http.StatusNoContent)
	}
}

// createAPIKey makes a key; the key is in this answer only.
func (h *handler) createAPIKey(c *gin.Context) {
	var req struct{ Name, Role string }
	if !h.decodeJSON(c, &req) {
		return
	}
	if req.Name == "" || len(req.Name) > 128 {
		writeError(c, http.StatusBadRequest, "invalid", "name: 1 to 128 characters")
		return
	}
	if !auth.ValidRole(req.Role) {
		writeError(c, http.StatusBadRequest, "invalid", "role: one of viewer, operator, admin")
		return
	}
	key, hash := h.opts.Auth.Keys.NewAPIKey()
	k := store.APIKey{ID: auth.NewID(), Name: req.Name, KeyHash: hash, Role: req.Role,
		CreatedBy: principalName(c), CreatedAt: h.opts.Now().UTC()}
	if err := h.opts.Auth.Users.CreateAPIKey(c.Request.Context(), k); err != nil {
		h.internal(c, "create api key", err)
		return
	}
	c.JSON(http.StatusCreated, struct {
		store.APIKey
		Key string `json:"key"`
	}{k, key})
}

func (h *handler) listAPIKeys(c *gin.Context) {
	ks, err := h.opts.Auth.Users.ListAPIKeys(c.Request.Context())
	if err != nil {
		h.internal(c, "list api keys", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"api_keys": ks})
}

func (h *handler) revokeAPIKey(c *gin.Context) {
	switch err := h.opts.Auth.Users.RevokeAPIKey(c.Request.Context(), c.Param("id"), h.opts.Now()); {
	case errors.Is(err, store.ErrNotFound):
		writeError(c, http.StatusNotFound, "not_found", "no unrevoked api key "+c.Param("id"))
	case err != nil:
		h.internal(c, "revoke api key", err)
	default:
		c.Status(http.StatusNoContent)
	}
}

func (h *handler) listAudit(c *gin.Context) {
	limit, before := 100, int64(0)
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(c, http.StatusBadRequest, "bad_request", "limit "+strconv.Quote(v)+": want an integer from 1 to 1000")
			return
		}
		limit = n
	}
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			writeError(c, http.StatusBadRequest, "bad_request", "before "+strconv.Quote(v)+": want a positive seq from an earlier page")
			return
		}
		before = n
	}
	es, err := h.opts.Auth.Users.ListAudit(c.Request.Context(), before, limit)
	if err != nil {
		h.internal(c, "list audit log", err)
		return
	}
	var next int64
	if len(es) == limit {
		next = es[len(es)-1].Seq
	}
	c.JSON(http.StatusOK, gin.H{"entries": es, "next_before": next})
}
