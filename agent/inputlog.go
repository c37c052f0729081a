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

// runnerBase is what every input runner holds: its input, the agent, the
// outbox it commits to, the detection metrics and its detector source.
type runnerBase struct {
	inputLog
	cfg config.Input
	a   *Agent
	ob  *outbox.Store
	pm  *pipeline.Metrics
	src detectorSource
}

func (a *Agent) newRunnerBase(in config.Input, ob *outbox.Store, pm *pipeline.Metrics) runnerBase {
	src, ok := a.sources[in.Name]
	if !ok { // not in the configuration the agent was made with (tests)
		var err error
		if src, err = a.detectorSource(a.cfg.InputDetector(in)); err != nil {
			src = failedSource{err}
		}
	}
	return runnerBase{inputLog: a.newInputLog(in.Name), cfg: in, a: a, ob: ob, pm: pm, src: src}
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
	d := r.a.cfg.Decision
	return pipeline.New(pipeline.Options{
		AgentID: r.a.cfg.Agent.ID, Input: r.cfg.Name, Labels: labels, Fields: fields, Multivariate: r.cfg.Multivariate,
		Factory: streamable(pf), Decision: d.DecisionOptions(), NewPolicy: d.NewPolicy, Severity: d.Severity,
		LoadState: r.ob.State, Metrics: r.pm, Logger: r.logger,
	})
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
