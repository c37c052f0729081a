package agent

import (
	"context"
	"sync"

	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/agent/pipeline"
	"github.com/pynomaly/pynomaly/protocol"
)

// inputSet runs the inputs of the configuration in effect and moves them
// to the next one without losing a sample:
//   - an input whose plan is unchanged keeps running;
//   - an MQTT input whose connection, topics and payload are unchanged
//     switches detector, decision, labels or model in place, between two
//     batches, keeping its connection and the messages waiting in it;
//   - any other changed input is stopped, which ends with its last batch
//     committed, and started again from its checkpoint (a file input
//     resumes at the line after; an MQTT input reconnects, and with QoS ≥ 1
//     and a session the broker redelivers what was not acknowledged);
//   - a removed input is stopped, a new one started.
type inputSet struct {
	a   *Agent
	ob  *outbox.Store
	pm  *pipeline.Metrics
	ctx context.Context // the agent's: inputs end with it

	mu      sync.Mutex // serialises apply
	running map[string]*runningInput
	stopped bool // set by wait: no input starts after it
	wg      sync.WaitGroup
}

type runningInput struct {
	plan   inputPlan
	mqtt   *mqttRunner // set for an MQTT input, which can swap in place
	cancel context.CancelFunc
	done   chan struct{}
}

func (a *Agent) newInputSet(ctx context.Context, ob *outbox.Store, pm *pipeline.Metrics) *inputSet {
	return &inputSet{a: a, ob: ob, pm: pm, ctx: ctx, running: make(map[string]*runningInput)}
}

// apply makes g the configuration in effect (nil: keep the current one)
// and moves the running inputs to its plans. It returns once every input
// that had to stop has stopped and the new ones are started. Storing g
// under the same lock keeps two callers from applying generations in the
// opposite order to the one they were made in.
func (s *inputSet) apply(g *generation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g != nil {
		s.a.gen.Store(g)
	}
	if s.stopped {
		return
	}
	plans := s.a.gen.Load().plans
	want := make(map[string]inputPlan, len(plans))
	for _, p := range plans {
		want[p.in.Name] = p
	}
	for name, ri := range s.running {
		p, ok := want[name]
		switch {
		case ok && ri.plan.equal(p):
			delete(want, name)
		case ok && ri.mqtt != nil && ri.plan.sameSource(p):
			ri.mqtt.swap(p)
			ri.plan = p
			delete(want, name)
		default:
			ri.cancel()
			<-ri.done
			delete(s.running, name)
			if !ok {
				s.a.health.remove(name)
			}
		}
	}
	for _, p := range plans {
		if _, ok := want[p.in.Name]; ok {
			s.start(p)
		}
	}
}

func (s *inputSet) start(p inputPlan) {
	ctx, cancel := context.WithCancel(s.ctx)
	ri := &runningInput{plan: p, cancel: cancel, done: make(chan struct{})}
	s.running[p.in.Name] = ri
	var run func(context.Context) error
	if p.in.MQTT != nil {
		r, err := s.a.mqttRunnerFor(p, s.ob, s.pm)
		if err != nil {
			s.failed(p.in.Name, err)
			close(ri.done)
			return
		}
		ri.mqtt, run = r, r.Run
	} else {
		run = s.a.fileRunnerFor(p, s.ob, s.pm).Run
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(ri.done)
		if err := run(ctx); err != nil {
			s.failed(p.in.Name, err)
		}
	}()
}

// failed reports an input that cannot run with its configuration (its
// broker's TLS files unreadable, say). The other inputs run on; a new
// configuration, or a restart after the fix, starts it again.
func (s *inputSet) failed(name string, err error) {
	s.a.health.set(name, protocol.HealthFailed, err)
	s.a.logger.Error("input cannot run", "input", name, "err", err)
}

// wait returns once every input has stopped, after the agent's context ended.
func (s *inputSet) wait() {
	<-s.ctx.Done()
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	s.wg.Wait()
}
