package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/controlplane/store"
	"github.com/pynomaly/pynomaly/protocol"
)

// The batch sizes the components use by default: the uplink publishes up
// to 256 entries at a time, ingest stores up to 1,024 alerts per
// transaction. The baselines use the same, so they differ from the drain
// only in the components they leave out.
const (
	uplinkBatch = 256
	ingestBatch = 1024
)

// fleet holds one backlog per agent; agent i is agentID(i).
type fleet [][]outbox.Entry

func (f fleet) alerts() int {
	n := 0
	for _, es := range f {
		n += len(es)
	}
	return n
}

// timePublish times JetStream alone: the backlog's messages published to
// the control plane's broker one by one, as the uplink did before atomic
// batches (no outbox, no consumer, no store).
func timePublish(ctx context.Context, dir string, f fleet) (time.Duration, error) {
	b, err := startBroker(ctx, filepath.Join(dir, "jetstream"), false)
	if err != nil {
		return 0, err
	}
	defer b.Shutdown()
	js, nc, err := dial(b, false)
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	start := time.Now()
	err = publishAll(ctx, js, agentID(0), f[0], uplinkBatch)
	return time.Since(start), err
}

// timeUplink times the agent's side alone: the real outbox drained by the
// real uplink into the broker, with no consumer and no store.
func timeUplink(ctx context.Context, dir string, f fleet) (time.Duration, error) {
	b, err := startBroker(ctx, filepath.Join(dir, "jetstream"), false)
	if err != nil {
		return 0, err
	}
	defer b.Shutdown()
	obs, err := fillOutboxes(dir, f)
	if err != nil {
		return 0, err
	}
	defer closeOutboxes(obs)
	start := time.Now()
	stop := runUplinks(ctx, b.ClientURL(), obs, 0)
	err = waitFor(ctx, "the outboxes to drain", func() bool { return drained(obs) })
	took := time.Since(start)
	return took, errors.Join(err, stop())
}

// timeInsert times SQLite alone: the backlog's alerts, decoded beforehand,
// inserted into a fresh store in ingest's batches, one transaction each.
func timeInsert(ctx context.Context, dir string, f fleet) (time.Duration, error) {
	alerts := make([]protocol.Alert, len(f[0]))
	for i, e := range f[0] {
		a, err := protocol.DecodeAlert(e.Payload)
		if err != nil {
			return 0, err
		}
		alerts[i] = a
	}
	s, err := store.Open(ctx, filepath.Join(dir, "pynomaly.db"), nil)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	start := time.Now()
	for i := 0; i < len(alerts); i += ingestBatch {
		if _, err := s.InsertAlerts(ctx, alerts[i:min(i+ingestBatch, len(alerts))], time.Now().UTC()); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// timeIngest times the control plane's side alone: the backlog already in
// JetStream (published while no control plane ran), then the control plane
// started on that data directory; timed from the start until the last row.
func timeIngest(ctx context.Context, dir string, f fleet) (time.Duration, error) {
	dataDir := filepath.Join(dir, "cp")
	b, err := startBroker(ctx, filepath.Join(dataDir, "jetstream"), true)
	if err != nil {
		return 0, err
	}
	js, nc, err := dial(b, true)
	if err == nil {
		err = publishAll(ctx, js, agentID(0), f[0], uplinkBatch)
		nc.Close()
	}
	b.Shutdown()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	_, stop, err := startControlPlane(ctx, dataDir)
	if err != nil {
		return 0, err
	}
	err = waitRows(ctx, dataDir, f.alerts())
	took := time.Since(start)
	return took, errors.Join(err, stop())
}

// tempDir is a fresh directory for one measurement; remove deletes it.
func tempDir() (dir string, remove func(), err error) {
	dir, err = os.MkdirTemp("", "bench-drain-")
	if err != nil {
		return "", nil, fmt.Errorf("temp dir: %w", err)
	}
	return dir, func() { _ = os.RemoveAll(dir) }, nil
}
