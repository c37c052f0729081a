package agent

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/agent/pipeline"
	"github.com/pynomaly/pynomaly/agent/uplink"
	"github.com/pynomaly/pynomaly/protocol"
)

// OutboxFile is the outbox's file name inside the data directory.
const OutboxFile = "agent.db"

// Agent is a configured agent, ready to Run.
type Agent struct {
	cfg     *config.Config
	version string
	logger  *slog.Logger
	reg     *prometheus.Registry
	health  *health
	metrics *inputMetrics
	started time.Time
	// gen is the configuration in effect: the file's, or the desired
	// state's from the control plane (see desiredSync).
	gen     atomic.Pointer[generation]
	desired *desiredSync
	plugins *supervisor
	// outboxHealth says whether the outbox file had to be replaced at
	// start (see reportSetAside).
	outboxHealth protocol.ComponentHealth
	// alertOut publishes alerts to a local broker (alerts.mqtt); nil
	// when none is configured, which its methods allow.
	alertOut *alertOutput
}

// New prepares an agent from a validated configuration.
func New(cfg *config.Config, version string, logger *slog.Logger) (*Agent, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	im, err := newInputMetrics(reg)
	if err != nil {
		return nil, err
	}
	pm, err := newPluginMetrics(reg)
	if err != nil {
		return nil, err
	}
	a := &Agent{cfg: cfg, version: version, logger: logger, reg: reg, health: newHealth(), metrics: im, started: time.Now(),
		plugins: newSupervisor(supervisorOptions{Metrics: pm, Logger: logger})}
	g, err := a.buildGeneration(cfg, nil, nil)
	if err != nil {
		return nil, err
	}
	a.gen.Store(g)
	a.desired = a.newDesiredSync()
	return a, nil
}

// planOf returns in's plan in the configuration in effect, if in is one of
// its inputs as it is there.
func (a *Agent) planOf(in config.Input) (inputPlan, bool) {
	for _, p := range a.gen.Load().plans {
		if p.in.Name == in.Name && reflect.DeepEqual(p.in, in) {
			return p, true
		}
	}
	return inputPlan{}, false
}

// Run runs the agent until ctx ends. It returns an error only for what the
// agent cannot run without: its outbox, its local endpoint, its uplink.
func (a *Agent) Run(ctx context.Context) error {
	ob, aside, err := outbox.OpenOrSetAside(filepath.Join(a.cfg.Agent.DataDir, OutboxFile))
	if err != nil {
		return err
	}
	defer func() { _ = ob.Close() }()
	if err := a.reportSetAside(aside); err != nil {
		return err
	}
	if err := a.limitOutbox(ob); err != nil {
		return err
	}
	if err := claimOutbox(ob, a.cfg.Agent.ID); err != nil {
		return err
	}
	a.desired.ob = ob
	up, err := a.newUplink(ob)
	if err != nil {
		return err
	}
	pm, err := pipeline.NewMetrics(a.reg)
	if err != nil {
		return err
	}
	srv, err := a.startHTTP(ob, up)
	if err != nil {
		return err
	}
	if a.alertOut, err = a.newAlertOutput(ctx); err != nil {
		return fmt.Errorf("alerts.mqtt: %w", err)
	}
	// The last desired state received runs from the start: the control
	// plane may be unreachable, and the file's pipeline is not what it
	// wanted this agent to run.
	if g := a.desired.loadCached(); g != nil {
		a.gen.Store(g)
	}
	gen := a.gen.Load()
	a.logger.Info("agent started", "agent_id", a.cfg.Agent.ID, "version", a.version, "control_plane", a.cfg.ControlPlane.URL,
		"inputs", len(gen.plans), "detector", gen.cfg.Detector.Type, "plugins", a.plugins.names(), "outbox_depth", ob.Depth(),
		"desired_state", a.desired.runningHash())
	// Plugins die after the inputs stop, so no batch is cut short for it.
	defer a.plugins.Close()
	g, gctx := errgroup.WithContext(ctx)
	inputs := a.newInputSet(gctx, ob, pm)
	a.desired.set = inputs
	g.Go(func() error { return up.Run(gctx) })
	// A desired state received meanwhile starts the inputs itself.
	a.desired.waitSynced(gctx, a.cfg.ControlPlane.SyncWait)
	inputs.apply(nil)
	g.Go(func() error { inputs.wait(); return nil })
	g.Go(func() error { return a.alertOut.run(gctx) })
	g.Go(func() error { a.expireOutbox(gctx, ob); return nil })
	g.Go(func() error { return a.plugins.Run(gctx) })
	g.Go(func() error { return srv.run(gctx) })
	err = g.Wait()
	a.logger.Info("agent stopped", "outbox_depth", ob.Depth())
	return err
}

func (a *Agent) newUplink(ob *outbox.Store) (*uplink.Uplink, error) {
	var token, secret string
	if cred := a.cfg.ControlPlane.Credentials(); cred != nil {
		secret = cred.Secret
	} else {
		var err error
		if token, err = a.cfg.ControlPlane.ReadToken(); err != nil {
			return nil, err
		}
	}
	hostname, _ := os.Hostname()
	return uplink.New(uplink.Options{
		URL: a.cfg.ControlPlane.URL, Token: token, Secret: secret, AgentID: a.cfg.Agent.ID, Outbox: ob,
		HeartbeatInterval: a.cfg.ControlPlane.HeartbeatInterval, DrainRate: a.cfg.ControlPlane.DrainRate,
		Heartbeat: func() protocol.Heartbeat {
			return protocol.Heartbeat{Hostname: hostname, AgentVersion: a.version, StartedAt: a.started.UTC(),
				Inputs: a.health.inputs(), Detectors: a.detectorHealth(), Outbox: a.outboxHealth, Config: a.desired.Status()}
		},
		Attach: a.desired.watch,
		Logger: a.logger, Registerer: a.reg,
	})
}

// reportSetAside says, in the log, the metrics and the health reports,
// that the outbox file was corrupt and replaced by a fresh one. The health
// stays degraded until the agent restarts: the results buffered in the old
// file were not delivered, and someone should look.
func (a *Agent) reportSetAside(aside *outbox.SetAside) error {
	setAside := prometheus.NewCounter(prometheus.CounterOpts{Name: "pynomaly_agent_outbox_set_aside_total",
		Help: "Corrupt outbox files moved aside at start and replaced by a fresh outbox (0 or 1 per run); /health names the file."})
	if err := a.reg.Register(setAside); err != nil {
		return err
	}
	a.outboxHealth = protocol.ComponentHealth{Name: "outbox", Status: protocol.HealthOK}
	if aside == nil {
		return nil
	}
	setAside.Inc()
	msg := fmt.Sprintf("outbox file was corrupt (%v); moved to %s and started a fresh one: results buffered in it were not delivered", aside.Cause, aside.Path)
	a.outboxHealth = protocol.ComponentHealth{Name: "outbox", Status: protocol.HealthDegraded, Error: msg}
	a.logger.Error("outbox file was corrupt; moved it aside and started a fresh one: results buffered in it were not delivered",
		"moved_to", aside.Path, "err", aside.Cause)
	return nil
}

// limitOutbox applies the outbox section and exports what the limit does.
func (a *Agent) limitOutbox(ob *outbox.Store) error {
	policy, err := outbox.ParseFullPolicy(a.cfg.Outbox.OnFull)
	if err != nil {
		return fmt.Errorf("outbox.on_full: %w", err)
	}
	ob.SetLimit(int64(a.cfg.Outbox.MaxBytes), a.cfg.Outbox.MaxAge, policy)
	dropped := func(reason string, f func() float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "pynomaly_agent_outbox_dropped_total",
			Help:        "Undelivered results deleted to stay within outbox.max_bytes (reason bytes) or outbox.max_age (reason age), under outbox.on_full: drop_oldest.",
			ConstLabels: prometheus.Labels{"reason": reason}}, f)
	}
	for _, c := range []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "pynomaly_agent_outbox_bytes",
			Help: "Bytes of undelivered results in the outbox (bounded by outbox.max_bytes)."},
			func() float64 { return float64(ob.Bytes()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "pynomaly_agent_outbox_oldest_age_seconds",
			Help: "How long the oldest undelivered result has waited in the outbox (bounded by outbox.max_age); 0 when empty."},
			func() float64 { return ob.OldestAge().Seconds() }),
		dropped("bytes", func() float64 { return float64(ob.Dropped() - ob.DroppedAged()) }),
		dropped("age", func() float64 { return float64(ob.DroppedAged()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "pynomaly_agent_outbox_paused",
			Help: "1 while inputs wait for room in a full outbox (outbox.on_full: pause), else 0."},
			func() float64 {
				if ob.Paused() {
					return 1
				}
				return 0
			}),
	} {
		if err := a.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// expireOutbox deletes results past outbox.max_age every 10 s, under
// drop_oldest, so that an outbox nobody commits to (quiet inputs, the
// uplink down) does not keep them to deliver late.
func (a *Agent) expireOutbox(ctx context.Context, ob *outbox.Store) {
	if a.cfg.Outbox.MaxAge <= 0 || a.cfg.Outbox.OnFull != string(outbox.DropOldest) {
		return
	}
	every(ctx, 10*time.Second, func() {
		if err := ob.Expire(); err != nil {
			a.logger.Warn("expiring old outbox results failed; retrying", "err", err)
		}
	})
}

// claimOutbox records which agent the outbox's alerts belong to. Alerts
// buffered under another agent id would be published on that id's
// subjects by an agent that is no longer it, and refused: so an id change
// with undelivered alerts is an error, not a silent loss.
func claimOutbox(ob *outbox.Store, id string) error {
	owner, err := ob.Owner()
	if err != nil {
		return err
	}
	if owner != "" && owner != id && ob.Depth() > 0 {
		return fmt.Errorf("agent.id is %q but the outbox in agent.data_dir holds %d undelivered alerts of agent %q: "+
			"run once more as %q until they are delivered (outbox_depth 0 in /health), or move the data directory away to drop them",
			id, ob.Depth(), owner, owner)
	}
	if owner == id {
		return nil
	}
	return ob.SetOwner(id)
}
