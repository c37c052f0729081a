package policy

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/controlplane/desired"
	"github.com/pynomaly/pynomaly/protocol"
)

// states reads desired states through the desired store and writes them
// with a compare and set on the KV key's revision, which the desired
// store's Put and Delete do not offer.
type states struct {
	desired *desired.Store
	js      jetstream.JetStream

	mu sync.Mutex
	kv jetstream.KeyValue
}

func (s *states) bucket(ctx context.Context) (jetstream.KeyValue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kv != nil {
		return s.kv, nil
	}
	if err := s.desired.Ensure(ctx); err != nil {
		return nil, err
	}
	kv, err := s.js.KeyValue(ctx, protocol.DesiredBucket)
	if err != nil {
		return nil, fmt.Errorf("desired-state bucket: %w", err)
	}
	s.kv = kv
	return kv, nil
}

// get returns the agent's desired state and its revision; revision 0 when
// it has none.
func (s *states) get(ctx context.Context, agentID string) (protocol.DesiredState, uint64, error) {
	e, err := s.desired.Get(ctx, agentID)
	if errors.Is(err, desired.ErrNotFound) {
		return protocol.DesiredState{}, 0, nil
	}
	return e.State, e.Revision, err
}

// withDigests fills each model's SHA256 from the model store.
func (s *states) withDigests(ctx context.Context, d protocol.DesiredState) (protocol.DesiredState, error) {
	d.Models = append([]protocol.ModelAssignment(nil), d.Models...)
	for i, m := range d.Models {
		info, err := s.desired.Model(ctx, m.Name, m.Version)
		if errors.Is(err, desired.ErrModelNotFound) {
			return d, fmt.Errorf("%w: %s", ErrUnknownModel, protocol.ModelObject(m.Name, m.Version))
		}
		if err != nil {
			return d, err
		}
		d.Models[i].SHA256 = info.SHA256
	}
	return d, nil
}

// put writes d if the agent's state is still at revision rev (0: none).
func (s *states) put(ctx context.Context, agentID string, d protocol.DesiredState, rev uint64) error {
	b, err := d.Encode()
	if err != nil {
		return err
	}
	kv, err := s.bucket(ctx)
	if err != nil {
		return err
	}
	if rev == 0 {
		_, err = kv.Create(ctx, agentID, b)
	} else {
		_, err = kv.Update(ctx, agentID, b, rev)
	}
	return casError(agentID, err)
}

// del deletes the agent's state if it is still at revision rev.
func (s *states) del(ctx context.Context, agentID string, rev uint64) error {
	kv, err := s.bucket(ctx)
	if err != nil {
		return err
	}
	return casError(agentID, kv.Delete(ctx, agentID, jetstream.LastRevision(rev)))
}

func casError(agentID string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jetstream.ErrKeyRevisionMismatch), errors.Is(err, jetstream.ErrKeyExists):
		return errConflict
	}
	return fmt.Errorf("write desired state of %s: %w", agentID, err)
}
