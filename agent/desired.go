package agent

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/internal/lograte"
	"github.com/pynomaly/pynomaly/protocol"
)

// Outbox state keys of the last good desired state and its models. The NUL
// keeps them apart from inputs' keys, whose names have none.
const (
	desiredStateKey = "\x00desired"
	modelKeyPrefix  = "\x00model\x00" // + input name
)

// desiredRetry is how long a desired state that could not be applied for
// a passing reason (a model not downloadable yet) waits to be tried again.
// A variable for tests.
var desiredRetry = 15 * time.Second

// desiredSync applies the desired state the control plane keeps for this
// agent (protocol.DesiredState) and reports what became of it:
//
//   - at start, the last good desired state kept in the outbox file, so an
//     agent that cannot reach the control plane runs what it last ran;
//   - then, once connected, every version of it in JetStream KV, as it
//     changes; a deleted key means the agent file's pipeline again.
//
// A desired state is validated whole (merged into the agent file and
// checked as the file is, models fetched, verified by SHA-256 and restored
// into their detectors) before anything changes; a bad one is refused and
// reported, and the agent runs on with what it had.
type desiredSync struct {
	a      *Agent
	ob     *outbox.Store
	set    *inputSet
	logger *slog.Logger
	warnL  *lograte.Limiter

	// synced is closed once the control plane's desired state (or its
	// absence) has been handled for the first time.
	synced     chan struct{}
	syncedOnce sync.Once

	mu     sync.Mutex
	status protocol.AppliedConfig
	// models holds the running state's model bytes by input, so that an
	// update keeping a model does not download it again.
	models map[string][]byte
}

// newDesiredSync makes the agent's; Run gives it the outbox.
func (a *Agent) newDesiredSync() *desiredSync {
	return &desiredSync{a: a, logger: a.logger.With("component", "desired"), warnL: lograte.New(30 * time.Second),
		models: map[string][]byte{}, synced: make(chan struct{})}
}

// waitSynced waits up to d for the first sync with the control plane.
func (d *desiredSync) waitSynced(ctx context.Context, wait time.Duration) {
	if wait <= 0 {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-d.synced:
	case <-t.C:
		d.logger.Info("control plane not reached in time; starting inputs with what the agent has", "waited", wait,
			"desired_state", d.runningHash())
	case <-ctx.Done():
	}
}

// Status is what the heartbeats report.
func (d *desiredSync) Status() *protocol.AppliedConfig {
	if d == nil { // an agent that is not running
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.status == (protocol.AppliedConfig{}) {
		return nil // the file's pipeline, never told otherwise
	}
	s := d.status
	return &s
}

// runningHash names the desired state in effect, for the log.
func (d *desiredSync) runningHash() string {
	if s := d.Status(); s != nil && s.RunningHash != "" {
		return s.RunningHash
	}
	return "none (the agent file's pipeline)"
}

func (d *desiredSync) setStatus(s protocol.AppliedConfig) {
	d.mu.Lock()
	d.status = s
	d.mu.Unlock()
}

// loadCached returns the generation of the desired state kept in the
// outbox, or nil when there is none or it no longer fits the agent file
// (then the file's pipeline runs and the status says why).
func (d *desiredSync) loadCached() *generation {
	raw, err := d.ob.State(desiredStateKey)
	if err != nil || raw == nil {
		return nil
	}
	ds, err := protocol.DecodeDesired(raw)
	if err != nil {
		d.refuse(protocol.AppliedConfig{}, fmt.Errorf("the kept desired state is unreadable: %w", err))
		return nil
	}
	models := make(map[string][]byte, len(ds.Models))
	for _, m := range ds.Models {
		b, err := d.ob.State(modelKeyPrefix + m.Input)
		if err == nil && !digestMatches(b, m.SHA256) {
			err = fmt.Errorf("model %s: kept copy is missing or damaged", protocol.ModelObject(m.Name, m.Version))
		}
		if err != nil {
			d.refuse(protocol.AppliedConfig{Hash: ds.Hash()}, err)
			return nil
		}
		models[m.Input] = b
	}
	g, err := d.build(ds, models)
	if err != nil {
		d.refuse(protocol.AppliedConfig{Hash: ds.Hash()}, fmt.Errorf("the kept desired state no longer fits the agent file: %w", err))
		return nil
	}
	d.models = models
	d.setStatus(protocol.AppliedConfig{Hash: ds.Hash(), Status: protocol.ConfigApplied, RunningHash: ds.Hash(), Cached: true, AppliedAt: time.Now().UTC()})
	d.logger.Info("running the last desired state received, kept from before the restart", "hash", ds.Hash())
	return g
}

// refuse reports a desired state that is not applied; what runs stays.
func (d *desiredSync) refuse(s protocol.AppliedConfig, err error) {
	d.mu.Lock()
	s.Status, s.Error = protocol.ConfigFailed, err.Error()
	s.RunningHash, s.Cached, s.AppliedAt = d.status.RunningHash, d.status.Cached, d.status.AppliedAt
	d.status = s
	d.mu.Unlock()
	d.logger.Error("desired state refused; running the previous configuration", "hash", s.Hash, "err", err)
}

func (d *desiredSync) build(ds protocol.DesiredState, models map[string][]byte) (*generation, error) {
	cfg := d.a.cfg
	if ds.Pipeline != "" {
		var err error
		if cfg, err = d.a.cfg.WithPipeline(ds.Pipeline); err != nil {
			return nil, err
		}
	}
	return d.a.buildGeneration(cfg, ds.Models, models)
}

// watch follows the agent's key until ctx ends, watching again after any
// interruption. It is given the uplink's JetStream context when connected.
func (d *desiredSync) watch(ctx context.Context, js jetstream.JetStream) {
	for attempt := 0; ctx.Err() == nil; attempt++ {
		if d.watchOnce(ctx, js) {
			attempt = 0
		}
		sleep(ctx, retryWait(attempt))
	}
}

// retryWait is exponential from 500 ms to 30 s, with jitter.
func retryWait(attempt int) time.Duration {
	d := min(500*time.Millisecond<<min(attempt, 6), 30*time.Second)
	return d/2 + rand.N(d/2+1)
}

// watchOnce watches until the watch ends; it reports whether it got as far
// as the current value.
func (d *desiredSync) watchOnce(ctx context.Context, js jetstream.JetStream) (synced bool) {
	kv, err := js.KeyValue(ctx, protocol.DesiredBucket)
	if err != nil {
		d.warn("kv", "cannot open the desired-state bucket; retrying", err)
		return false
	}
	w, err := kv.Watch(ctx, d.a.cfg.Agent.ID)
	if err != nil {
		d.warn("kv", "cannot watch the desired state; retrying", err)
		return false
	}
	defer func() { _ = w.Stop() }()
	var (
		seen    bool                    // the key had a value when the watch began
		pending jetstream.KeyValueEntry // one whose apply failed for a passing reason
		retry   <-chan time.Time
	)
	// After a reconnection the watch's consumer may be gone with the
	// server that held it; the client notices only after missing its
	// heartbeats, some 10 s. Watching again at once is cheaper.
	reconnects := js.Conn().Stats().Reconnects
	check := time.NewTicker(time.Second)
	defer check.Stop()
	for {
		select {
		case <-ctx.Done():
			return synced
		case <-check.C:
			if js.Conn().Stats().Reconnects != reconnects {
				return synced
			}
		case <-retry:
			retry = nil
			if d.handle(ctx, js, pending) {
				retry = time.After(desiredRetry)
			}
		case e, ok := <-w.Updates():
			if !ok {
				return synced // interrupted: watch again
			}
			switch {
			case e == nil: // the current value has been delivered (a retry of it stays due)
				synced = true
				if !seen {
					d.handle(ctx, js, nil) // no desired state: the file's pipeline
				}
				d.syncedOnce.Do(func() { close(d.synced) })
			default:
				seen, pending, retry = true, e, nil // a newer value replaces one waiting for a retry
				if d.handle(ctx, js, e) {
					retry = time.After(desiredRetry)
				}
			}
		}
	}
}

// handle applies e (nil, or a deleted key: none) and reports whether it
// should be tried again later.
func (d *desiredSync) handle(ctx context.Context, js jetstream.JetStream, e jetstream.KeyValueEntry) (retry bool) {
	var ds protocol.DesiredState
	if e != nil && e.Operation() == jetstream.KeyValuePut {
		var err error
		if ds, err = protocol.DecodeDesired(e.Value()); err != nil {
			d.refuse(protocol.AppliedConfig{Hash: rawHash(e.Value())}, err)
			return false
		}
	}
	var hash string
	if e != nil && e.Operation() == jetstream.KeyValuePut {
		hash = ds.Hash()
	}
	cur := d.Status()
	if cur == nil && hash == "" {
		return false // the file's pipeline runs already
	}
	if cur != nil && cur.RunningHash == hash && cur.Status == protocol.ConfigApplied {
		if cur.Cached { // what was kept is still what is wanted
			cur.Cached = false
			d.setStatus(*cur)
		}
		return false
	}
	d.mu.Lock()
	d.status.Hash, d.status.Status, d.status.Error = hash, protocol.ConfigApplying, ""
	d.mu.Unlock()
	models, err := d.fetchModels(ctx, js, ds)
	if err != nil {
		d.refuse(protocol.AppliedConfig{Hash: hash}, err)
		return true
	}
	g, err := d.build(ds, models)
	if err != nil {
		d.refuse(protocol.AppliedConfig{Hash: hash}, err)
		return false
	}
	if err := d.keep(e, models); err != nil {
		d.refuse(protocol.AppliedConfig{Hash: hash}, fmt.Errorf("keep it in the outbox file: %w", err))
		return true
	}
	d.set.apply(g)
	d.mu.Lock()
	d.models = models
	d.status = protocol.AppliedConfig{Hash: hash, Status: protocol.ConfigApplied, RunningHash: hash, AppliedAt: time.Now().UTC()}
	if hash == "" {
		d.status = protocol.AppliedConfig{} // the file's pipeline: nothing to report
	}
	d.mu.Unlock()
	if hash == "" {
		d.logger.Info("desired state removed; running the agent file's pipeline")
	} else {
		d.logger.Info("desired state applied", "hash", hash, "inputs", len(g.plans), "models", len(ds.Models))
	}
	return false
}

// keep stores the desired state and its models as the last good ones (or
// removes them, for none), in one transaction.
func (d *desiredSync) keep(e jetstream.KeyValueEntry, models map[string][]byte) error {
	kept, err := d.ob.StatesWithPrefix(modelKeyPrefix)
	if err != nil {
		return err
	}
	var desired []byte
	if e != nil && e.Operation() == jetstream.KeyValuePut {
		desired = e.Value()
	}
	return d.ob.Commit(keepCommit(desired, models, kept))
}

// keepCommit is the commit that turns the kept models into models and the
// kept desired state into desired (nil: none). A model whose bytes are kept
// already is left out: a new configuration that keeps the same models, the
// usual case, then does not rewrite them, which on a gateway's flash is
// wear for nothing.
func keepCommit(desired []byte, models, kept map[string][]byte) outbox.Commit {
	c := outbox.Commit{States: map[string][]byte{}}
	if desired != nil {
		c.States[desiredStateKey] = desired
	} else {
		c.Deletes = append(c.Deletes, desiredStateKey)
	}
	for in, b := range models {
		k := modelKeyPrefix + in
		if old, ok := kept[k]; !ok || !bytes.Equal(old, b) {
			c.States[k] = b
		}
	}
	for k := range kept {
		if _, ok := models[k[len(modelKeyPrefix):]]; !ok {
			c.Deletes = append(c.Deletes, k)
		}
	}
	return c
}

// fetchModels returns the bytes of ds's models by input, from what runs
// now when the digest matches, else from the object store.
func (d *desiredSync) fetchModels(ctx context.Context, js jetstream.JetStream, ds protocol.DesiredState) (map[string][]byte, error) {
	out := make(map[string][]byte, len(ds.Models))
	if len(ds.Models) == 0 {
		return out, nil
	}
	d.mu.Lock()
	have := d.models
	d.mu.Unlock()
	var store jetstream.ObjectStore
	for _, m := range ds.Models {
		name := protocol.ModelObject(m.Name, m.Version)
		if b, ok := have[m.Input]; ok && digestMatches(b, m.SHA256) {
			out[m.Input] = b
			continue
		}
		if store == nil {
			var err error
			if store, err = js.ObjectStore(ctx, protocol.ModelsBucket); err != nil {
				return nil, fmt.Errorf("model %s: open the model store: %w", name, err)
			}
		}
		b, err := getModel(ctx, store, name)
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", name, err)
		}
		if !digestMatches(b, m.SHA256) {
			return nil, fmt.Errorf("model %s: its bytes do not match sha256 %s", name, m.SHA256)
		}
		out[m.Input] = b
	}
	return out, nil
}

func getModel(ctx context.Context, store jetstream.ObjectStore, name string) ([]byte, error) {
	r, err := store.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	defer func() { _ = r.Close() }()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, protocol.MaxModelBytes+1))
	if err != nil {
		return nil, err
	}
	if n > protocol.MaxModelBytes {
		return nil, fmt.Errorf("larger than %d bytes", protocol.MaxModelBytes)
	}
	return buf.Bytes(), nil
}

func digestMatches(b []byte, want string) bool {
	sum := sha256.Sum256(b)
	return b != nil && hex.EncodeToString(sum[:]) == want
}

// rawHash names a desired state that could not be decoded.
func rawHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func (d *desiredSync) warn(key, msg string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	if ok, n := d.warnL.Allow(key); ok {
		d.logger.Warn(msg, "err", err, "suppressed", n)
	}
}
