package agent

import (
	"sort"
	"sync"

	"github.com/pynomaly/pynomaly/protocol"
)

// health tracks each input's state for heartbeats and the local /health.
type health struct {
	mu     sync.Mutex
	states map[string]protocol.ComponentHealth
}

func newHealth() *health { return &health{states: make(map[string]protocol.ComponentHealth)} }

func (h *health) set(name, status string, err error) {
	c := protocol.ComponentHealth{Name: name, Status: status}
	if err != nil {
		c.Error = err.Error()
	}
	h.mu.Lock()
	h.states[name] = c
	h.mu.Unlock()
}

// remove forgets an input the configuration no longer has.
func (h *health) remove(name string) {
	h.mu.Lock()
	delete(h.states, name)
	h.mu.Unlock()
}

func (h *health) inputs() []protocol.ComponentHealth {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]protocol.ComponentHealth, 0, len(h.states))
	for _, c := range h.states {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// detectorHealth lists the detectors the inputs use: built-ins, always
// ok, and plugins, failed while not running, with their last error.
func (a *Agent) detectorHealth() []protocol.ComponentHealth {
	builtins := a.gen.Load().builtins
	out := make([]protocol.ComponentHealth, 0, len(builtins))
	for _, name := range builtins {
		out = append(out, protocol.ComponentHealth{Name: name, Status: protocol.HealthOK})
	}
	out = append(out, a.plugins.health()...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
