package server

import (
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/desired"
	"github.com/pynomaly/pynomaly/controlplane/policy"
)

// policies returns the service that renders agents' desired states from
// policies into ds, and hooks it to fleet: an agent enrolled, relabelled
// or unenrolled gets its policies rendered again.
func (s *Server) policies(ds *desired.Store, fleet *api.Fleet) api.PolicyService {
	js, err := jetstream.New(s.conn)
	if err != nil { // only for bad options, which there are none of
		s.logger.Error("policies are off: no JetStream context", "err", err)
		return nil
	}
	svc := policy.New(policy.Options{Store: s.store, Desired: ds, JetStream: js, Logger: s.logger})
	if fleet != nil {
		fleet.Changed = svc.AgentChanged
	}
	return svc
}
