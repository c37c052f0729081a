package server

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/controlplane/desired"
)

// newDesired returns the desired-state store over the server's NATS
// connection.
func (s *Server) newDesired() (*desired.Store, error) {
	js, err := jetstream.New(s.conn)
	if err != nil {
		return nil, err
	}
	return desired.New(js), nil
}

// ensureDesired creates the desired-state bucket and the model store,
// retrying while NATS is unreachable, so that agents find the bucket (and
// learn they have no desired state) before anyone writes to it.
func (s *Server) ensureDesired(ctx context.Context, d *desired.Store) {
	for wait := 250 * time.Millisecond; ; wait = min(2*wait, 10*time.Second) {
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := d.Ensure(actx)
		cancel()
		if err == nil || ctx.Err() != nil {
			return
		}
		s.logger.Warn("cannot create the desired-state bucket yet; retrying", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
