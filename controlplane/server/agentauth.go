package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/broker"
	"github.com/pynomaly/pynomaly/controlplane/desired"
	"github.com/pynomaly/pynomaly/controlplane/natsauth"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

// calloutIssuer is the account key that signs the authorization
// callout's answers: generated at each start for the embedded server,
// which is configured with its public half; for an external NATS, the
// seed in NATSCalloutKey whose public half is in that server's config.
// nil: an external NATS without the callout, where only the shared token
// admits agents and enrollment is unavailable.
func (s *Server) calloutIssuer() (nkeys.KeyPair, error) {
	if s.opts.NATSURL == "" {
		return nkeys.CreateAccount()
	}
	if s.opts.NATSCalloutKey == "" {
		return nil, nil
	}
	kp, err := nkeys.FromSeed([]byte(strings.TrimSpace(s.opts.NATSCalloutKey)))
	if err != nil {
		return nil, fmt.Errorf("PYNOMALY_NATS_CALLOUT_KEY: not an nkey seed: %w", err)
	}
	if pub, _ := kp.PublicKey(); !nkeys.IsValidPublicAccountKey(pub) {
		return nil, errors.New("PYNOMALY_NATS_CALLOUT_KEY: not an account seed (it starts with SA); make one with pynomaly server nats-config")
	}
	return kp, nil
}

// startAgentAuth starts answering NATS' authorization requests for
// agents; nil without a callout issuer.
func (s *Server) startAgentAuth(ds *desired.Store, reg prometheus.Registerer) (*natsauth.Service, error) {
	if s.issuer == nil {
		return nil, nil
	}
	kick, err := s.kicker()
	if err != nil {
		return nil, err
	}
	var nuids sync.Map // model object name -> chunk NUID
	svc, err := natsauth.New(natsauth.Options{
		Issuer: s.issuer, Account: broker.Account, SharedToken: s.natsTok, RefuseSharedToken: s.opts.RequireEnrollment,
		Verify: func(ctx context.Context, id, secret string) error {
			hash, err := s.store.AgentSecretHash(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				return natsauth.ErrBadCredentials
			}
			if err != nil {
				return err
			}
			if subtle.ConstantTimeCompare([]byte(hash), []byte(s.keys.Hash(secret))) != 1 {
				return natsauth.ErrBadCredentials
			}
			return nil
		},
		Grants: func(ctx context.Context, id string) ([]natsauth.ModelGrant, error) {
			return modelGrants(ctx, ds, &nuids, id)
		},
		Kick: kick, Logger: s.logger, Registerer: reg,
	})
	if err != nil {
		return nil, err
	}
	return svc, svc.Serve(s.conn)
}

// modelGrants lists the model versions agentID's desired state assigns.
// It runs at every agent connection, so the chunk NUIDs of model
// versions, which never change (a version is immutable), are looked up
// once and kept in nuids.
func modelGrants(ctx context.Context, ds *desired.Store, nuids *sync.Map, agentID string) ([]natsauth.ModelGrant, error) {
	e, err := ds.Get(ctx, agentID)
	if errors.Is(err, desired.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var grants []natsauth.ModelGrant
	for _, m := range e.State.Models {
		obj := protocol.ModelObject(m.Name, m.Version)
		nuid, ok := nuids.Load(obj)
		if !ok {
			info, err := ds.Model(ctx, m.Name, m.Version)
			if errors.Is(err, desired.ErrModelNotFound) {
				continue // the agent reports it missing; nothing to read
			}
			if err != nil {
				return nil, err
			}
			nuid, _ = nuids.LoadOrStore(obj, info.NUID)
		}
		grants = append(grants, natsauth.ModelGrant{Object: obj, NUID: nuid.(string)})
	}
	return grants, nil
}

// kicker returns how to cut a client's connection: directly on the
// embedded server; through the system account of an external NATS when
// NATSSystemPassword is set; otherwise nil, and sessions end with their TTL.
func (s *Server) kicker() (func(ctx context.Context, serverID string, cid uint64) error, error) {
	if s.broker != nil {
		return func(_ context.Context, serverID string, cid uint64) error {
			if serverID != s.broker.ID() {
				return fmt.Errorf("server %s is not the embedded one", serverID)
			}
			return s.broker.Kick(cid)
		}, nil
	}
	if s.opts.NATSSystemPassword == "" {
		s.logger.Warn("PYNOMALY_NATS_SYSTEM_PASSWORD is not set: an unenrolled agent's open NATS session ends within its TTL, not at once",
			"ttl", natsauth.DefaultSessionTTL)
		return nil, nil
	}
	sys, err := nats.Connect(s.opts.NATSURL, nats.Name("pynomaly-controlplane-system"), nats.MaxReconnects(-1),
		nats.UserInfo(broker.SystemUser, s.opts.NATSSystemPassword), nats.CustomReconnectDelay(reconnectDelay))
	if err != nil {
		return nil, fmt.Errorf("connect to NATS' system account as %s (PYNOMALY_NATS_SYSTEM_PASSWORD): %w", broker.SystemUser, explainNATS(err))
	}
	s.sysConn = sys
	return func(ctx context.Context, serverID string, cid uint64) error {
		m, err := sys.RequestWithContext(ctx, "$SYS.REQ.SERVER."+serverID+".KICK", natsauth.KickRequest(cid))
		if err != nil {
			return err
		}
		var resp struct {
			Error *struct {
				Description string `json:"description"`
			} `json:"error"`
		}
		if err := json.Unmarshal(m.Data, &resp); err != nil {
			return fmt.Errorf("kick answer %q: %w", m.Data, err)
		}
		if resp.Error != nil {
			return errors.New(resp.Error.Description)
		}
		return nil
	}, nil
}

// refreshGrants cuts the sessions of agents whose assigned models
// changed, so they connect again with permission to read the new ones.
func (s *Server) refreshGrants(ctx context.Context, ds *desired.Store, svc *natsauth.Service) {
	for ctx.Err() == nil {
		err := ds.WatchUpdates(ctx, func(id string) { svc.Refresh(ctx, id) })
		if ctx.Err() != nil {
			return
		}
		s.logger.Warn("watching desired states for model grants failed; watching again", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

// fleetOptions turns on enrollment in the API.
func (s *Server) fleetOptions(svc *natsauth.Service) *api.Fleet {
	f := &api.Fleet{Store: s.store, NATSURLs: s.agentNATSURLs}
	if svc == nil {
		f.Unavailable = "this control plane's NATS does not admit enrolled agents: configure the authorization callout " +
			"(pynomaly server nats-config) and set PYNOMALY_NATS_CALLOUT_KEY"
		return f
	}
	f.Disconnect = func(_ context.Context, id string) error { return svc.Disconnect(s.conn, id) }
	return f
}

// agentNATSURLs are the NATS addresses an enrolling agent is given:
// NATSAdvertise when set; else the embedded server's address, with the
// host the agent reached the API on when NATS listens on every
// interface; else the external URLs without their credentials.
func (s *Server) agentNATSURLs(r *http.Request) []string {
	if len(s.opts.NATSAdvertise) > 0 {
		return s.opts.NATSAdvertise
	}
	if s.broker == nil {
		var out []string
		for u := range strings.SplitSeq(s.opts.NATSURL, ",") {
			if p, err := url.Parse(strings.TrimSpace(u)); err == nil {
				p.User = nil
				out = append(out, p.String())
			}
		}
		return out
	}
	u, err := url.Parse(s.broker.ClientURL())
	if err != nil {
		return []string{s.broker.ClientURL()}
	}
	// ClientURL says 127.0.0.1 for a server listening on every interface,
	// which is no address for an agent on another host.
	if ip := net.ParseIP(s.opts.NATSHost); s.opts.NATSHost == "" || (ip != nil && ip.IsUnspecified()) {
		host := r.Host
		if h, _, err := net.SplitHostPort(r.Host); err == nil {
			host = h
		}
		u.Host = net.JoinHostPort(host, u.Port())
	}
	return []string{u.String()}
}
