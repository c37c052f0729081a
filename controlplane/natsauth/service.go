package natsauth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pynomaly/pynomaly/internal/lograte"
	"github.com/pynomaly/pynomaly/protocol"
)

// CalloutSubject is where the NATS server sends authorization requests.
const CalloutSubject = "$SYS.REQ.USER.AUTH"

// kickSubject tells every control-plane replica to cut an agent's
// sessions: the replica that admitted a connection is the one that knows
// where it is.
const kickSubject = "pynomaly.v1.control.kick"

// DefaultSessionTTL bounds how long an admitted connection lives before
// NATS makes the agent authenticate again (it reconnects at once). It is
// the bound on revocation when sessions cannot be cut (an external NATS
// without a system account for this service).
const DefaultSessionTTL = time.Hour

// maxSessions is how many of an agent's latest sessions are remembered.
const maxSessions = 4

// ErrBadCredentials is a connection whose id or secret does not pass.
var ErrBadCredentials = errors.New("unknown agent or wrong secret")

// ErrSharedTokenRefused is a connection with the shared token when
// Options.RefuseSharedToken is set.
var ErrSharedTokenRefused = errors.New("the shared token admits no agent here (PYNOMALY_REQUIRE_ENROLLMENT): enroll this agent (pynomaly-agent enroll)")

// Options configures a Service.
type Options struct {
	// Issuer signs the answers; NATS trusts its public key (the issuer of
	// the auth_callout block).
	Issuer nkeys.KeyPair
	// Account is the NATS account admitted agents are placed in: the one
	// holding the control plane's streams.
	Account string
	// SharedToken, when set, admits connections that present it instead
	// of agent credentials, with no limits: agents configured with the
	// fleet's shared token, before enrollment existed.
	SharedToken string
	// RefuseSharedToken refuses those connections instead, naming the
	// reason (result shared_token_refused): every agent must enroll.
	RefuseSharedToken bool
	// Verify checks an agent's id and secret.
	Verify func(ctx context.Context, agentID, secret string) error
	// Grants lists the models agentID is assigned.
	Grants func(ctx context.Context, agentID string) ([]ModelGrant, error)
	// Kick cuts client cid on NATS server serverID; nil when sessions
	// cannot be cut and end with their TTL.
	Kick func(ctx context.Context, serverID string, cid uint64) error
	// SessionTTL is DefaultSessionTTL when 0.
	SessionTTL time.Duration
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// session is one admitted agent connection.
type session struct {
	server string
	cid    uint64
	grants []ModelGrant
}

// Service is the authorization callout.
type Service struct {
	opts      Options
	issuerPub string
	logger    *slog.Logger
	limiter   *lograte.Limiter
	decisions *prometheus.CounterVec

	mu       sync.Mutex
	sessions map[string][]session // by agent id
}

// New returns a Service; it does not touch the network.
func New(opts Options) (*Service, error) {
	if opts.Issuer == nil || opts.Verify == nil || opts.Grants == nil || opts.Account == "" {
		return nil, errors.New("natsauth: Issuer, Account, Verify and Grants are required")
	}
	pub, err := opts.Issuer.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("natsauth: issuer: %w", err)
	}
	if !nkeys.IsValidPublicAccountKey(pub) {
		return nil, fmt.Errorf("natsauth: issuer %s is not an account key (its seed starts with SA)", pub)
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{opts: opts, issuerPub: pub, logger: opts.Logger.With("component", "natsauth"),
		limiter: lograte.New(30 * time.Second), sessions: map[string][]session{},
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pynomaly_nats_auth_total",
			Help: "Agent connections NATS asked the control plane about, by result: agent (enrolled credentials), shared_token, shared_token_refused (PYNOMALY_REQUIRE_ENROLLMENT), refused, error."},
			[]string{"result"})}
	for _, r := range []string{"agent", "shared_token", "shared_token_refused", "refused", "error"} {
		s.decisions.WithLabelValues(r) // shown at 0 before the first connection
	}
	if opts.Registerer != nil {
		if err := opts.Registerer.Register(s.decisions); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Serve answers authorization requests on nc (a connection of the
// callout account's auth user) until nc closes, sharing them with the
// other replicas, and cuts sessions when any replica asks.
func (s *Service) Serve(nc *nats.Conn) error {
	if _, err := nc.QueueSubscribe(CalloutSubject, protocol.ControlPlaneQueue, s.handle); err != nil {
		return fmt.Errorf("natsauth: subscribe %s: %w", CalloutSubject, err)
	}
	if _, err := nc.Subscribe(kickSubject, func(m *nats.Msg) { s.kickLocal(string(m.Data), nil) }); err != nil {
		return fmt.Errorf("natsauth: subscribe %s: %w", kickSubject, err)
	}
	return nil
}

// Disconnect cuts every session of agentID, in every replica.
func (s *Service) Disconnect(nc *nats.Conn, agentID string) error {
	s.kickLocal(agentID, nil)
	if err := nc.Publish(kickSubject, []byte(agentID)); err != nil {
		return fmt.Errorf("natsauth: ask other replicas to disconnect %s: %w", agentID, err)
	}
	return nil
}

// Refresh cuts the sessions of agentID whose model grants are no longer
// its grants, so it connects again with the current ones. It is called
// when the agent's desired state changed.
func (s *Service) Refresh(ctx context.Context, agentID string) {
	s.mu.Lock()
	_, known := s.sessions[agentID]
	s.mu.Unlock()
	if !known {
		return
	}
	grants, err := s.opts.Grants(ctx, agentID)
	if err != nil {
		s.logger.Warn("cannot read an agent's model grants; its sessions keep theirs", "agent_id", agentID, "err", err)
		return
	}
	s.kickLocal(agentID, func(ss session) bool { return !slices.Equal(ss.grants, grants) })
}

func (s *Service) kickLocal(agentID string, which func(session) bool) {
	s.mu.Lock()
	var cut, keep []session
	for _, ss := range s.sessions[agentID] {
		if which == nil || which(ss) {
			cut = append(cut, ss)
		} else {
			keep = append(keep, ss)
		}
	}
	if len(keep) == 0 {
		delete(s.sessions, agentID)
	} else {
		s.sessions[agentID] = keep
	}
	s.mu.Unlock()
	if s.opts.Kick == nil {
		if len(cut) > 0 {
			s.logger.Warn("cannot cut an agent's NATS sessions (no system account); they end within the session TTL",
				"agent_id", agentID, "sessions", len(cut), "ttl", s.opts.SessionTTL)
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, ss := range cut {
		// A session that already ended is not found: nothing to do.
		if err := s.opts.Kick(ctx, ss.server, ss.cid); err != nil && !strings.Contains(err.Error(), "not found") {
			s.logger.Warn("could not cut an agent's NATS session", "agent_id", agentID, "cid", ss.cid, "err", err)
		}
	}
	if len(cut) > 0 {
		s.logger.Info("cut an agent's NATS sessions", "agent_id", agentID, "sessions", len(cut))
	}
}

// handle answers one authorization request. A refusal is an answer with
// an error, which NATS passes to the client as "Authorization Violation".
func (s *Service) handle(m *nats.Msg) {
	req, err := jwt.DecodeAuthorizationRequestClaims(string(m.Data))
	if err != nil {
		s.note("error", "undecodable authorization request", "err", err)
		return // NATS times the request out and refuses the client
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	user, result, err := s.admit(ctx, req)
	resp := jwt.NewAuthorizationResponseClaims(req.UserNkey)
	resp.Audience = req.Server.ID
	if err != nil {
		resp.Error = err.Error()
		s.note(result, "refused an agent connection", "user", req.ConnectOptions.Username,
			"client", req.ClientInformation.Host, "err", err)
	} else {
		resp.Jwt = user
		s.decisions.WithLabelValues(result).Inc()
	}
	token, err := resp.Encode(s.opts.Issuer)
	if err != nil {
		s.note("error", "cannot sign an authorization answer", "err", err)
		return
	}
	if err := m.Respond([]byte(token)); err != nil {
		s.note("error", "cannot send an authorization answer", "err", err)
	}
}

// admit decides on req and returns the user JWT to admit it with.
func (s *Service) admit(ctx context.Context, req *jwt.AuthorizationRequestClaims) (string, string, error) {
	co := req.ConnectOptions
	uc := jwt.NewUserClaims(req.UserNkey)
	uc.Audience = s.opts.Account
	// ±10% so that agents admitted together (after a restart of NATS) do
	// not all come back for a new session in the same second.
	ttl := time.Duration(float64(s.opts.SessionTTL) * (0.9 + 0.2*rand.Float64()))
	uc.Expires = time.Now().Add(ttl).Unix()
	if co.Username == "" && s.opts.SharedToken != "" && co.Token != "" &&
		subtle.ConstantTimeCompare([]byte(co.Token), []byte(s.opts.SharedToken)) == 1 {
		if s.opts.RefuseSharedToken {
			return "", "shared_token_refused", ErrSharedTokenRefused
		}
		uc.Name = "shared-token"
		u, err := uc.Encode(s.opts.Issuer)
		return u, "shared_token", err
	}
	id := co.Username
	if err := protocol.ValidateAgentID(id); err != nil || co.Password == "" {
		return "", "refused", ErrBadCredentials
	}
	if err := s.opts.Verify(ctx, id, co.Password); err != nil {
		if errors.Is(err, ErrBadCredentials) {
			return "", "refused", err
		}
		return "", "error", fmt.Errorf("cannot check credentials now: %w", err)
	}
	grants, err := s.opts.Grants(ctx, id)
	if err != nil {
		return "", "error", fmt.Errorf("cannot read the agent's models now: %w", err)
	}
	uc.Name = id
	uc.Permissions = AgentPermissions(id, grants)
	u, err := uc.Encode(s.opts.Issuer)
	if err != nil {
		return "", "error", err
	}
	s.mu.Lock()
	// An agent holds one connection; the older ones it had have ended
	// (they are kept a while in case two overlap in a reconnect).
	ss := append(s.sessions[id], session{server: req.Server.ID, cid: req.ClientInformation.ID, grants: grants})
	s.sessions[id] = ss[max(0, len(ss)-maxSessions):]
	s.mu.Unlock()
	return u, "agent", nil
}

func (s *Service) note(result, msg string, args ...any) {
	s.decisions.WithLabelValues(result).Inc()
	if ok, n := s.limiter.Allow(msg); ok {
		s.logger.Warn(msg, append(args, "suppressed", n)...)
	}
}

// KickRequest is the body of NATS' $SYS.REQ.SERVER.<id>.KICK request.
func KickRequest(cid uint64) []byte {
	b, _ := json.Marshal(struct {
		CID uint64 `json:"cid"`
	}{cid})
	return b
}
