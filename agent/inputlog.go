package agent

import (
	"log/slog"
	"maps"
	"time"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/agent/pipeline"
	"github.com/pynomaly/pynomaly/internal/lograte"
)

// runnerBase is what every input runner holds: its plan (config, detector
// source, decision, model), the agent, the outbox it commits to and the
// detection metrics. cfg and src are the plan's, for short.
type runnerBase struct {
	inputLog
	plan inputPlan
	cfg  config.Input
	a    *Agent
	ob   *outbox.Store
	pm   *pipeline.Metrics
	src  detectorSource
}

// newRunnerBase makes a runner's base for in, with its plan in the
// configuration in effect or, for an input not in it (tests), a new one.
func (a *Agent) newRunnerBase(in config.Input, ob *outbox.Store, pm *pipeline.Metrics) runnerBase {
	p, ok := a.planOf(in)
	if !ok {
		cfg := *a.cfg
		cfg.Inputs = []config.Input{in}
		if g, err := a.buildGeneration(&cfg, nil, nil); err != nil {
			p = inputPlan{in: in, decision: a.cfg.Decision, src: failedSource{err}}
		} else {
			p = g.plans[0]
		}
	}
	return a.runnerBaseFor(p, ob, pm)
}

func (a *Agent) runnerBaseFor(p inputPlan, ob *outbox.Store, pm *pipeline.Metrics) runnerBase {
	return runnerBase{inputLog: a.newInputLog(p.in.Name), plan: p, cfg: p.in, a: a, ob: ob, pm: pm, src: p.src}
}

// newPipeline returns the pipeline of the input's series. fields are the
// value names of records that bring none of their own.
func (r *runnerBase) newPipeline(fields []string, pf *pipelineFactory) *pipeline.Pipeline {
	return r.newPipelineWith(fields, pf, nil)
}

// newPipelineWith is newPipeline with more labels on every series.
func (r *runnerBase) newPipelineWith(fields []string, pf *pipelineFactory, extra map[string]string) *pipeline.Pipeline {
	labels := maps.Clone(r.cfg.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	maps.Copy(labels, extra)
	// Two inputs with the same columns and labels would otherwise make the
	// same series and the same alert ids, and one would hide the other.
	labels[InputLabel] = r.cfg.Name
	d := r.plan.decision
	return pipeline.New(pipeline.Options{
		AgentID: r.a.cfg.Agent.ID, Input: r.cfg.Name, Labels: labels, Fields: fields, Multivariate: r.cfg.Multivariate,
		Factory: streamable(pf), Model: r.plan.model, Decision: d.DecisionOptions(), NewPolicy: d.NewPolicy, Severity: d.Severity,
		LoadState: r.ob.State, Metrics: r.pm, Logger: r.logger,
	})
}

// resetStates drops the input's series states when they were saved under
// another detector, model or sample shape than the plan's, and records the
// plan's fingerprint, in one transaction: a state restored into a detector
// with other parameters would score as neither. An input without a
// recorded fingerprint (state written before fingerprints) keeps its
// states. Call it before the input's first pipeline.
func (r *runnerBase) resetStates() error {
	key := r.cfg.Name + "\x00detector"
	old, err := r.ob.State(key)
	if err != nil {
		return err
	}
	if string(old) == r.plan.fingerprint {
		return nil
	}
	c := outbox.Commit{States: map[string][]byte{key: []byte(r.plan.fingerprint)}}
	if old != nil {
		states, err := r.ob.StatesWithPrefix(r.cfg.Name + "/")
		if err != nil {
			return err
		}
		for k := range states {
			c.Deletes = append(c.Deletes, k)
		}
		r.logger.Info("detector or model changed; the input's series start anew", "series", len(states))
	}
	return r.ob.Commit(c)
}

// inputLog counts an input's unusable records and logs its problems, each
// kind at most once per 10 s, so a flood of bad data cannot flood the log.
type inputLog struct {
	name    string
	metrics *inputMetrics
	logger  *slog.Logger
	limiter *lograte.Limiter
}

func (a *Agent) newInputLog(name string) inputLog {
	return inputLog{name: name, metrics: a.metrics, logger: a.logger.With("component", "input", "input", name),
		limiter: lograte.New(10 * time.Second)}
}

// countBad counts bad by reason and logs them; what is "record" or
// "message", for the log.
func (l inputLog) countBad(bad []input.BadRecord, what string) {
	for _, br := range bad {
		l.metrics.errors.WithLabelValues(l.name, br.Reason).Inc()
		if ok, n := l.limiter.Allow(br.Reason); ok {
			l.logger.Warn("skipped a bad "+what, "reason", br.Reason, "err", br.Err, "suppressed", n)
		}
	}
}

func (l inputLog) warn(key, msg string, err error) {
	if ok, n := l.limiter.Allow(key); ok {
		l.logger.Warn(msg, "err", err, "suppressed", n)
	}
}
