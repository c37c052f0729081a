// Package desired keeps what the control plane wants each agent to run —
// its pipeline and the models its inputs start from — in JetStream: desired
// states in a KV bucket keyed by agent id, which agents watch, and model
// versions in an object store, which agents download from. Being in
// JetStream rather than only in the database is what lets an agent that
// was offline when its desired state changed find it when it reconnects.
package desired

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/protocol"
)

// Errors callers tell apart.
var (
	ErrNotFound      = errors.New("not found")
	ErrModelNotFound = errors.New("model version not found")
	// ErrModelExists: a model version is immutable, so agents that
	// verified it by digest never see it change.
	ErrModelExists = errors.New("model version exists with other content")
	ErrTooLarge    = errors.New("model too large")
)

// InvalidError is a request refused for what it holds, not for a failure
// to store it: the API answers it with 400.
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }

func invalid(err error) error { return &InvalidError{err} }

// desiredHistory keeps a few earlier desired states per agent in the
// bucket, for looking back; agents only read the latest.
const desiredHistory = 5

// Store reads and writes desired states and models. It opens (creating
// if missing) the bucket and the object store on first use, and again
// after a failure, so that a control plane whose NATS is not up yet starts
// anyway and serves them once it is.
type Store struct {
	js jetstream.JetStream

	mu     sync.Mutex
	kv     jetstream.KeyValue
	models jetstream.ObjectStore
}

// New returns a Store over js; it does not touch the network.
func New(js jetstream.JetStream) *Store { return &Store{js: js} }

// Ensure creates the bucket and the object store if they are missing, with
// the same settings every replica asks for, so that replicas starting
// together agree. The other methods call it; the control plane calls it at
// start so that agents find the bucket before anyone writes to it.
func (s *Store) Ensure(ctx context.Context) error {
	_, _, err := s.open(ctx)
	return err
}

func (s *Store) open(ctx context.Context) (jetstream.KeyValue, jetstream.ObjectStore, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kv != nil {
		return s.kv, s.models, nil
	}
	kv, err := s.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      protocol.DesiredBucket,
		Description: "Pynomaly: desired state (pipeline, models) per agent id",
		History:     desiredHistory,
		Storage:     jetstream.FileStorage,
		// One value is a desired-state document; its pipeline is bounded.
		MaxValueSize: protocol.MaxPipelineBytes + 64<<10,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("desired-state bucket %s: %w", protocol.DesiredBucket, err)
	}
	obs, err := s.js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket:      protocol.ModelsBucket,
		Description: "Pynomaly: model versions, named <model>/<version>",
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("model store %s: %w", protocol.ModelsBucket, err)
	}
	s.kv, s.models = kv, obs
	return kv, obs, nil
}

// Entry is an agent's desired state as stored.
type Entry struct {
	State    protocol.DesiredState `json:"desired"`
	Hash     string                `json:"hash"`
	Revision uint64                `json:"revision"`
}

// WatchUpdates calls f with the agent id of every desired state that
// changes from now until ctx ends.
func (s *Store) WatchUpdates(ctx context.Context, f func(agentID string)) error {
	kv, _, err := s.open(ctx)
	if err != nil {
		return err
	}
	w, err := kv.WatchAll(ctx, jetstream.UpdatesOnly())
	if err != nil {
		return fmt.Errorf("watch desired states: %w", err)
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return nil
			}
			if e != nil {
				f(e.Key())
			}
		}
	}
}

// Get returns agentID's desired state, or ErrNotFound.
func (s *Store) Get(ctx context.Context, agentID string) (Entry, error) {
	kv, _, err := s.open(ctx)
	if err != nil {
		return Entry{}, err
	}
	e, err := kv.Get(ctx, agentID)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, fmt.Errorf("get desired state of %s: %w", agentID, err)
	}
	d, err := protocol.DecodeDesired(e.Value())
	if err != nil {
		return Entry{}, fmt.Errorf("desired state of %s: %w", agentID, err)
	}
	return Entry{State: d, Hash: d.Hash(), Revision: e.Revision()}, nil
}

// Put stores d as agentID's desired state. Each model's SHA256 is filled
// from the model store: a model must be uploaded before it is assigned.
func (s *Store) Put(ctx context.Context, agentID string, d protocol.DesiredState) (Entry, error) {
	if err := protocol.ValidateAgentID(agentID); err != nil {
		return Entry{}, invalid(err)
	}
	for i, m := range d.Models {
		if err := protocol.ValidateModelRef(m.Name, m.Version); err != nil {
			return Entry{}, invalid(fmt.Errorf("models[%d]: %w", i, err))
		}
		info, err := s.Model(ctx, m.Name, m.Version)
		if err != nil {
			return Entry{}, fmt.Errorf("models[%d]: %w", i, err)
		}
		d.Models[i].SHA256 = info.SHA256
	}
	d.UpdatedAt = time.Now().UTC()
	b, err := d.Encode()
	if err != nil {
		return Entry{}, invalid(err)
	}
	kv, _, err := s.open(ctx)
	if err != nil {
		return Entry{}, err
	}
	rev, err := kv.Put(ctx, agentID, b)
	if err != nil {
		return Entry{}, fmt.Errorf("put desired state of %s: %w", agentID, err)
	}
	d.Version = protocol.DesiredVersion
	return Entry{State: d, Hash: d.Hash(), Revision: rev}, nil
}

// Delete removes agentID's desired state: the agent goes back to its
// file's pipeline. Deleting what is not there is not an error.
func (s *Store) Delete(ctx context.Context, agentID string) error {
	kv, _, err := s.open(ctx)
	if err != nil {
		return err
	}
	if err := kv.Delete(ctx, agentID); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("delete desired state of %s: %w", agentID, err)
	}
	return nil
}

// ModelInfo describes a stored model version.
type ModelInfo struct {
	Name     string    `json:"name"`
	Version  string    `json:"version"`
	Size     uint64    `json:"size"`
	SHA256   string    `json:"sha256"`
	Detector string    `json:"detector,omitempty"`
	Created  time.Time `json:"created"`
	// NUID names the object's chunks in the store; NATS permissions that
	// let an agent read this version name it.
	NUID string `json:"-"`
}

// detectorMeta is the object metadata key of the detector a model is for.
const detectorMeta = "detector"

// PutModel stores a model version read from r. Storing the same bytes
// again is not an error; other bytes under an existing version are
// (ErrModelExists).
func (s *Store) PutModel(ctx context.Context, name, version, detector string, r io.Reader) (ModelInfo, error) {
	if err := protocol.ValidateModelRef(name, version); err != nil {
		return ModelInfo{}, invalid(err)
	}
	obj := protocol.ModelObject(name, version)
	old, err := s.Model(ctx, name, version)
	if err != nil && !errors.Is(err, ErrModelNotFound) {
		return ModelInfo{}, err
	}
	exists := err == nil
	// Read it whole first: the object store overwrites in place, and a
	// version must never change under agents that verified it.
	b, err := io.ReadAll(io.LimitReader(r, protocol.MaxModelBytes+1))
	if err != nil {
		return ModelInfo{}, fmt.Errorf("read model: %w", err)
	}
	if len(b) > protocol.MaxModelBytes {
		return ModelInfo{}, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, protocol.MaxModelBytes)
	}
	if len(b) == 0 {
		return ModelInfo{}, invalid(errors.New("the model is empty"))
	}
	if exists {
		if sum := sha256.Sum256(b); old.SHA256 == hex.EncodeToString(sum[:]) {
			return old, nil
		}
		return ModelInfo{}, fmt.Errorf("%s: %w (upload it as a new version)", obj, ErrModelExists)
	}
	meta := jetstream.ObjectMeta{Name: obj}
	if detector != "" {
		meta.Metadata = map[string]string{detectorMeta: detector}
	}
	_, models, err := s.open(ctx)
	if err != nil {
		return ModelInfo{}, err
	}
	info, err := models.Put(ctx, meta, bytes.NewReader(b))
	if err != nil {
		return ModelInfo{}, fmt.Errorf("store model %s: %w", obj, err)
	}
	return modelInfo(name, version, info)
}

// Model returns a model version's description, or ErrModelNotFound.
func (s *Store) Model(ctx context.Context, name, version string) (ModelInfo, error) {
	_, models, err := s.open(ctx)
	if err != nil {
		return ModelInfo{}, err
	}
	info, err := models.GetInfo(ctx, protocol.ModelObject(name, version))
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return ModelInfo{}, fmt.Errorf("%w: %s", ErrModelNotFound, protocol.ModelObject(name, version))
	}
	if err != nil {
		return ModelInfo{}, fmt.Errorf("model %s: %w", protocol.ModelObject(name, version), err)
	}
	return modelInfo(name, version, info)
}

func modelInfo(name, version string, info *jetstream.ObjectInfo) (ModelInfo, error) {
	sum, err := jetstream.DecodeObjectDigest(info.Digest)
	if err != nil {
		return ModelInfo{}, fmt.Errorf("model %s: digest %q: %w", info.Name, info.Digest, err)
	}
	return ModelInfo{Name: name, Version: version, Size: info.Size, SHA256: hex.EncodeToString(sum),
		Detector: info.Metadata[detectorMeta], Created: info.ModTime.UTC(), NUID: info.NUID}, nil
}
