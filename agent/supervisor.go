package agent

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/protocol"
)

// Defaults of supervisorOptions.
const (
	// pluginCallTimeout bounds every call to a plugin: a plugin that hangs
	// fails the batch instead of blocking its inputs, and is killed and
	// restarted.
	pluginCallTimeout = 10 * time.Second
	// pluginMinBackoff and pluginMaxBackoff bound the wait before a plugin
	// that crashed or failed to start is launched again; the wait doubles
	// with each failure in a row.
	pluginMinBackoff = time.Second
	pluginMaxBackoff = time.Minute
	// pluginWatchInterval is how often the supervisor looks for plugins
	// that exited, or are due a new start.
	pluginWatchInterval = 500 * time.Millisecond
)

// supervisorOptions configures a supervisor; zero durations take the
// defaults (sdk.DefaultStartTimeout for StartTimeout).
type supervisorOptions struct {
	StartTimeout, CallTimeout time.Duration
	MinBackoff, MaxBackoff    time.Duration
	WatchInterval             time.Duration
	Metrics                   *pluginMetrics
	Logger                    *slog.Logger
}

// supervisor runs the detector plugins that inputs use. Run launches
// them, notices a plugin that exited and launches it again after a
// backoff; inputs get a plugin's factory through its managedPlugin, which
// also launches it on demand. A plugin that cannot start never stops the
// agent: the inputs using it fail and retry, the others run on. Close
// kills every plugin; the agent calls it once its inputs have stopped.
type supervisor struct {
	opts supervisorOptions
	// mu guards plugins: a new configuration adds plugins while Run
	// watches them.
	mu      sync.Mutex
	plugins []*managedPlugin
	closed  bool
}

func newSupervisor(opts supervisorOptions) *supervisor {
	opts.StartTimeout = cmp.Or(opts.StartTimeout, sdk.DefaultStartTimeout)
	opts.CallTimeout = cmp.Or(opts.CallTimeout, pluginCallTimeout)
	opts.MinBackoff = cmp.Or(opts.MinBackoff, pluginMinBackoff)
	opts.MaxBackoff = max(opts.MinBackoff, cmp.Or(opts.MaxBackoff, pluginMaxBackoff))
	opts.WatchInterval = cmp.Or(opts.WatchInterval, pluginWatchInterval)
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics, _ = newPluginMetrics(prometheus.NewRegistry()) // a new registry cannot conflict
	}
	return &supervisor{opts: opts}
}

// add puts plugin p under supervision, once; it does not launch it.
func (s *supervisor) add(p config.Plugin) *managedPlugin {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.plugins {
		if m.name == p.Name {
			return m
		}
	}
	mt := s.opts.Metrics
	m := &managedPlugin{name: p.Name, path: p.Path, params: p.Params, opts: &s.opts,
		logger: s.opts.Logger.With("component", "plugin", "plugin", p.Name),
		up:     mt.up.WithLabelValues(p.Name), restarts: mt.restarts.WithLabelValues(p.Name), crashes: mt.crashes.WithLabelValues(p.Name)}
	s.plugins = append(s.plugins, m)
	if s.closed { // added while shutting down: never to be launched
		m.close()
	}
	return m
}

// names lists the supervised plugins.
func (s *supervisor) names() []string {
	ps := s.list()
	out := make([]string, len(ps))
	for i, m := range ps {
		out[i] = m.name
	}
	return out
}

// Run launches the plugins, then relaunches any that exits, until ctx
// ends. It does not kill them: Close does.
// list returns the supervised plugins as they are now.
func (s *supervisor) list() []*managedPlugin {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.plugins)
}

func (s *supervisor) Run(ctx context.Context) error {
	t := time.NewTicker(s.opts.WatchInterval)
	defer t.Stop()
	for {
		for _, m := range s.list() {
			if ctx.Err() == nil {
				m.watch()
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Close kills every plugin and keeps them from being launched again.
func (s *supervisor) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	for _, m := range s.list() {
		m.close()
	}
}

// health returns each plugin's state, by name.
func (s *supervisor) health() []protocol.ComponentHealth {
	ps := s.list()
	out := make([]protocol.ComponentHealth, 0, len(ps))
	for _, m := range ps {
		out = append(out, m.health())
	}
	slices.SortFunc(out, func(a, b protocol.ComponentHealth) int { return cmp.Compare(a.Name, b.Name) })
	return out
}
