package main

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"time"

	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/agent/uplink"
	"github.com/pynomaly/pynomaly/controlplane/server"
	"github.com/pynomaly/pynomaly/protocol"
)

// timeDrain times the whole path: every agent's outbox drained by its uplink
// (at most rate alerts/s each; 0: unbounded) into a control plane, timed
// from the uplinks' start until the store holds every alert.
func timeDrain(ctx context.Context, dir string, f fleet, rate float64) (result, error) {
	obs, err := fillOutboxes(dir, f)
	if err != nil {
		return result{}, err
	}
	defer closeOutboxes(obs)
	dataDir := filepath.Join(dir, "cp")
	srv, stopServer, err := startControlPlane(ctx, dataDir)
	if err != nil {
		return result{}, err
	}
	defer stopServer()
	if err := waitReady(ctx, srv.HTTPURL()); err != nil {
		return result{}, err
	}
	start := time.Now()
	stop := runUplinks(ctx, srv.NATSURL(), obs, rate)
	sent := make(chan time.Duration, 1)
	go func() {
		// When the agents are done says which side limits the drain: a
		// control plane that keeps up stores the last rows right after.
		if waitFor(ctx, "the outboxes to drain", func() bool { return drained(obs) }) == nil {
			sent <- time.Since(start)
		}
		close(sent)
	}()
	err = waitRows(ctx, dataDir, f.alerts())
	r := result{took: time.Since(start)}
	// An entry's rows can be committed before its uplink has deleted it
	// from the outbox; an entry left behind would be a delivery bug.
	if err == nil {
		r.sent = <-sent
		if r.sent == 0 {
			err = errors.New("the outboxes did not drain")
		}
	}
	return r, errors.Join(err, stop(), stopServer())
}

// result is one measurement: how long it took and, for a drain, when the
// agents' outboxes were empty.
type result struct {
	took, sent time.Duration
}

// startControlPlane starts a control plane on dataDir with the benchmark's
// token; stop stops it and reports how it ended (it may be called twice).
func startControlPlane(ctx context.Context, dataDir string) (*server.Server, func() error, error) {
	ctx, cancel := context.WithCancel(ctx)
	srv, err := server.Start(ctx, server.Options{Host: "127.0.0.1", NATSHost: "127.0.0.1", DataDir: dataDir, NATSToken: token})
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return srv, sync.OnceValue(func() error { cancel(); return srv.Wait() }), nil
}

// fillOutboxes creates agent i's outbox in dir/agent-i holding f[i].
func fillOutboxes(dir string, f fleet) ([]*outbox.Store, error) {
	var obs []*outbox.Store
	for i, es := range f {
		ob, err := fillOutbox(filepath.Join(dir, agentID(i)), es)
		if err != nil {
			closeOutboxes(obs)
			return nil, err
		}
		obs = append(obs, ob)
	}
	return obs, nil
}

func closeOutboxes(obs []*outbox.Store) {
	for _, ob := range obs {
		_ = ob.Close()
	}
}

func drained(obs []*outbox.Store) bool {
	for _, ob := range obs {
		if ob.Depth() > 0 {
			return false
		}
	}
	return true
}

// runUplinks runs one uplink per outbox, with the agent's defaults
// otherwise (batch size, ack timeout, heartbeats every 10 s); stop ends
// them and returns the first error.
func runUplinks(ctx context.Context, url string, obs []*outbox.Store, rate float64) (stop func() error) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	errs := make([]error, len(obs))
	for i, ob := range obs {
		id := agentID(i)
		u, err := uplink.New(uplink.Options{URL: url, Token: token, AgentID: id, Outbox: ob, DrainRate: rate,
			Heartbeat: func() protocol.Heartbeat { return protocol.Heartbeat{Hostname: id} }})
		if err != nil {
			errs[i] = err
			continue
		}
		wg.Go(func() { errs[i] = u.Run(ctx) })
	}
	return func() error {
		cancel()
		wg.Wait()
		return errors.Join(errs...)
	}
}
