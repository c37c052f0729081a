package desired_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/controlplane/desired"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

// newStore is a Store on a NATS server with JetStream on disk.
func newStore(t *testing.T) (*desired.Store, jetstream.JetStream) {
	t.Helper()
	js := testkit.StartNATSServer(t, "t", nil).JetStream()
	return desired.New(js), js
}

func TestDesiredRoundTrip(t *testing.T) {
	s, js := newStore(t)
	ctx := t.Context()
	if _, err := s.Get(ctx, "edge-1"); !errors.Is(err, desired.ErrNotFound) {
		t.Fatalf("Get before Put: %v, want ErrNotFound", err)
	}
	model := []byte("model bytes")
	info, err := s.PutModel(ctx, "pump", "1", "zscore", bytes.NewReader(model))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(model)
	if info.SHA256 != hex.EncodeToString(sum[:]) || info.Size != uint64(len(model)) || info.Detector != "zscore" {
		t.Errorf("model info %+v", info)
	}
	put, err := s.Put(ctx, "edge-1", protocol.DesiredState{Pipeline: "decision: {threshold: 0.9}\n",
		Models: []protocol.ModelAssignment{{Input: "line", Name: "pump", Version: "1", SHA256: "ignored"}}})
	if err != nil {
		t.Fatal(err)
	}
	if put.State.Models[0].SHA256 != info.SHA256 {
		t.Errorf("assigned sha256 %q, want the stored model's %q", put.State.Models[0].SHA256, info.SHA256)
	}
	got, err := s.Get(ctx, "edge-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash != put.Hash || got.Revision != put.Revision || got.State.Pipeline != put.State.Pipeline {
		t.Errorf("Get = %+v, want %+v", got, put)
	}
	// What an agent reads: the KV entry under its id, and the model object.
	kv, err := js.KeyValue(ctx, protocol.DesiredBucket)
	if err != nil {
		t.Fatal(err)
	}
	e, err := kv.Get(ctx, "edge-1")
	if err != nil {
		t.Fatal(err)
	}
	if d, err := protocol.DecodeDesired(e.Value()); err != nil || d.Hash() != put.Hash {
		t.Errorf("KV value decodes to %+v, %v", d, err)
	}
	if err := s.Delete(ctx, "edge-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "edge-1"); err != nil {
		t.Errorf("second Delete: %v, want nil", err)
	}
	if _, err := s.Get(ctx, "edge-1"); !errors.Is(err, desired.ErrNotFound) {
		t.Errorf("Get after Delete: %v, want ErrNotFound", err)
	}
}

func TestModelVersionsImmutable(t *testing.T) {
	s, _ := newStore(t)
	ctx := t.Context()
	first, err := s.PutModel(ctx, "pump", "1", "", strings.NewReader("a"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.PutModel(ctx, "pump", "1", "", strings.NewReader("a"))
	if err != nil || again.SHA256 != first.SHA256 {
		t.Errorf("same bytes again: %+v, %v; want the same version, no error", again, err)
	}
	if _, err := s.PutModel(ctx, "pump", "1", "", strings.NewReader("b")); !errors.Is(err, desired.ErrModelExists) {
		t.Errorf("other bytes under version 1: %v, want ErrModelExists", err)
	}
	if got, err := s.Model(ctx, "pump", "1"); err != nil || got.SHA256 != first.SHA256 {
		t.Errorf("version 1 after the refused overwrite: %+v, %v", got, err)
	}
}

func TestDesiredBadInput(t *testing.T) {
	s, _ := newStore(t)
	ctx := t.Context()
	var invalid *desired.InvalidError
	for _, tc := range []struct {
		name string
		err  error
		want func(error) bool
	}{
		{"bad agent id", second(s.Put(ctx, "edge.1", protocol.DesiredState{})), func(err error) bool { return errors.As(err, &invalid) }},
		{"pipeline too large", second(s.Put(ctx, "edge-1", protocol.DesiredState{Pipeline: strings.Repeat("#", protocol.MaxPipelineBytes+1)})),
			func(err error) bool { return errors.As(err, &invalid) }},
		{"unknown model", second(s.Put(ctx, "edge-1", protocol.DesiredState{Models: []protocol.ModelAssignment{{Input: "x", Name: "m", Version: "1"}}})),
			func(err error) bool { return errors.Is(err, desired.ErrModelNotFound) }},
		{"bad model name", second(s.PutModel(ctx, "../m", "1", "", strings.NewReader("a"))), func(err error) bool { return errors.As(err, &invalid) }},
		{"empty model", second(s.PutModel(ctx, "m", "1", "", strings.NewReader(""))), func(err error) bool { return errors.As(err, &invalid) }},
		{"missing model", second(s.Model(ctx, "m", "2")), func(err error) bool { return errors.Is(err, desired.ErrModelNotFound) }},
	} {
		if tc.err == nil || !tc.want(tc.err) {
			t.Errorf("%s: error %v", tc.name, tc.err)
		}
	}
}

func second[T any](_ T, err error) error { return err }
