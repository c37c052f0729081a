package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/protocol"
)

// managedPlugin is one supervised plugin: at most one process at a time,
// launched on demand and again, after a backoff, when it exits or hangs.
// It is safe for concurrent use.
type managedPlugin struct {
	name, path string
	params     map[string]string
	opts       *supervisorOptions
	logger     *slog.Logger
	up         prometheus.Gauge
	restarts   prometheus.Counter
	crashes    prometheus.Counter

	// launchMu makes callers wait for a launch in progress rather than
	// start another. It is taken before mu.
	launchMu sync.Mutex
	// mu guards the fields below. It is never held across a launch or a
	// kill, which take seconds, so health never waits for them.
	mu       sync.Mutex
	p        *sdk.Plugin // nil while not running
	since    time.Time   // when p was launched
	launches int
	failures int       // crashes and failed starts in a row, for the backoff
	next     time.Time // no launch before this
	lastErr  error
	closed   bool
}

// waitError is why a plugin cannot be had while it waits out its backoff.
type waitError struct {
	name string
	wait time.Duration
	last error
}

func (e *waitError) Error() string {
	return fmt.Sprintf("plugin %s not running, next start in %s: %v", e.name, e.wait.Round(100*time.Millisecond), e.last)
}

func (e *waitError) Unwrap() error { return e.last }

// acquire returns the running plugin's factory, launching the plugin if
// it is not running and its backoff has passed. report is to be called
// with the error of any call to one of the factory's detectors.
func (m *managedPlugin) acquire() (f sdk.Factory, report func(error), err error) {
	p, err := m.running()
	if err != nil {
		return nil, nil, err
	}
	return p.Factory(), func(err error) { m.callFailed(p, err) }, nil
}

func (m *managedPlugin) running() (*sdk.Plugin, error) {
	m.launchMu.Lock()
	defer m.launchMu.Unlock()
	m.mu.Lock()
	p := m.p
	m.mu.Unlock()
	if p != nil && p.Exited() {
		m.crashed(p, fmt.Errorf("plugin %s: process exited: %w", m.path, sdk.ErrPluginExited))
	}
	m.mu.Lock()
	p, closed, wait, last := m.p, m.closed, time.Until(m.next), m.lastErr
	m.mu.Unlock()
	switch {
	case p != nil:
		return p, nil
	case closed:
		return nil, fmt.Errorf("plugin %s: agent stopping: %w", m.name, sdk.ErrPluginExited)
	case wait > 0:
		return nil, &waitError{name: m.name, wait: wait, last: last}
	}
	return m.launch()
}

// launch starts the plugin; the caller holds launchMu.
func (m *managedPlugin) launch() (*sdk.Plugin, error) {
	m.mu.Lock()
	if m.launches > 0 {
		m.restarts.Inc()
	}
	m.launches++
	m.mu.Unlock()
	p, err := sdk.Launch(m.path, sdk.LaunchOptions{Logger: m.opts.Logger.With("component", "plugin"),
		StartTimeout: m.opts.StartTimeout, CallTimeout: m.opts.CallTimeout, Params: m.params})
	m.mu.Lock()
	closed := m.closed
	switch {
	case err != nil:
		m.backOffLocked(err)
	case !closed:
		m.p, m.since = p, time.Now()
		m.up.Set(1)
	}
	m.mu.Unlock()
	switch {
	case err != nil:
		return nil, err
	case closed: // Close ran meanwhile
		p.Kill()
		return nil, fmt.Errorf("plugin %s: agent stopping: %w", m.name, sdk.ErrPluginExited)
	}
	info := p.Factory().Info()
	m.logger.Info("plugin started", "path", m.path, "pid", p.PID(), "detector", info.Name, "detector_version", info.Version)
	return p, nil
}

// crashed drops p, which exited or hangs, and kills it; p may be gone
// already.
func (m *managedPlugin) crashed(p *sdk.Plugin, reason error) {
	m.mu.Lock()
	if m.p != p {
		m.mu.Unlock()
		return
	}
	m.p = nil
	m.crashes.Inc()
	if time.Since(m.since) >= m.opts.MaxBackoff {
		m.failures = 0 // it ran well for a while: start the backoff over
	}
	m.backOffLocked(reason)
	m.logger.Warn("plugin stopped; restarting it", "err", reason, "retry_in", time.Until(m.next).Round(time.Millisecond).String())
	m.mu.Unlock()
	p.Kill()
}

func (m *managedPlugin) backOffLocked(err error) {
	m.up.Set(0)
	m.failures++
	m.lastErr = err
	m.next = time.Now().Add(backoff(m.opts.MinBackoff, m.opts.MaxBackoff, m.failures))
}

// callFailed handles a detector call's error: a plugin that exited, or
// did not answer in time, is killed and will be launched again.
func (m *managedPlugin) callFailed(p *sdk.Plugin, err error) {
	if pluginLost(err) {
		m.crashed(p, err)
	}
}

// pluginLost reports whether err means the plugin behind a call is gone
// or hung, rather than the detector refusing the call's data.
func pluginLost(err error) bool {
	return errors.Is(err, sdk.ErrPluginExited) || errors.Is(err, context.DeadlineExceeded)
}

// watch notices an exited plugin and launches one that is due; a failed
// launch is logged here, where nobody else would see it.
func (m *managedPlugin) watch() {
	_, err := m.running()
	m.mu.Lock()
	closed, retry := m.closed, time.Until(m.next).Round(time.Millisecond)
	m.mu.Unlock()
	var wait *waitError
	if err != nil && !closed && !errors.As(err, &wait) {
		m.logger.Error("plugin did not start; inputs using it will retry", "err", err, "retry_in", retry.String())
	}
}

func (m *managedPlugin) close() {
	m.mu.Lock()
	p := m.p
	m.p, m.closed = nil, true
	m.up.Set(0)
	m.mu.Unlock()
	if p != nil {
		p.Kill()
	}
}

func (m *managedPlugin) health() protocol.ComponentHealth {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := protocol.ComponentHealth{Name: m.name, Status: protocol.HealthFailed}
	switch {
	case m.p != nil && m.lastErr != nil:
		c.Status, c.Error = protocol.HealthOK, "restarted after: "+m.lastErr.Error()
	case m.p != nil:
		c.Status = protocol.HealthOK
	case m.lastErr != nil:
		c.Error = m.lastErr.Error()
	case m.closed:
		c.Error = "stopped"
	default:
		c.Status, c.Error = protocol.HealthDegraded, "starting"
	}
	return c
}

// backoff returns the wait before attempt number failures+1: min doubled
// for each failure after the first, at most max, with ±20% jitter so that
// agents restarted together do not retry together.
func backoff(minWait, maxWait time.Duration, failures int) time.Duration {
	d := maxWait
	if failures < 1 {
		failures = 1
	}
	if failures <= 32 && minWait<<(failures-1) > 0 && minWait<<(failures-1) < maxWait {
		d = minWait << (failures - 1)
	}
	return d - d/5 + rand.N(2*d/5+1)
}
