package agent

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/agent/pipeline"
	"github.com/pynomaly/pynomaly/internal/lograte"
	"github.com/pynomaly/pynomaly/protocol"
)

const (
	// batchRows bounds one transaction; rate-limited inputs use smaller ones.
	batchRows = 512
	// pollInterval is how often a followed file, or a missing one, is re-checked.
	pollInterval = 250 * time.Millisecond
	retryOpen    = 5 * time.Second
)

// fileRunner reads one file input, scores it and commits each batch with
// its position.
type fileRunner struct {
	cfg     config.Input
	a       *Agent
	ob      *outbox.Store
	pm      *pipeline.Metrics
	logger  *slog.Logger
	limiter *lograte.Limiter
}

func (a *Agent) newFileRunner(in config.Input, ob *outbox.Store, pm *pipeline.Metrics) *fileRunner {
	return &fileRunner{cfg: in, a: a, ob: ob, pm: pm,
		logger: a.logger.With("component", "input", "input", in.Name), limiter: lograte.New(10 * time.Second)}
}

// Run reads until ctx ends (follow mode) or the file is done. A file that
// cannot be opened is retried: an unattended agent must not exit because
// a file is late or briefly missing.
func (r *fileRunner) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		rd, err := r.open()
		if err != nil {
			r.a.health.set(r.cfg.Name, protocol.HealthFailed, err)
			r.warn("open", "cannot read input; retrying", err)
			sleep(ctx, retryOpen)
			continue
		}
		err = r.consume(ctx, rd)
		_ = rd.Close()
		if err != nil {
			return inputError(r.cfg.Name, err)
		}
		return nil
	}
	return nil
}

func (r *fileRunner) open() (*input.Reader, error) {
	fc := r.cfg.File
	format, err := input.ParseFormat(fc.Format)
	if err != nil {
		return nil, err
	}
	rd, err := input.OpenFile(fc.Path, input.FileOptions{
		Format: format, TimestampField: fc.TimestampColumn, Fields: fc.Columns,
		Separator: fc.SeparatorRune(), Follow: fc.Follow,
	})
	if err != nil {
		return nil, err
	}
	offset, line, ok, err := r.ob.Checkpoint(r.cfg.Name)
	if err != nil {
		_ = rd.Close()
		return nil, err
	}
	if ok {
		err := rd.Resume(offset, line)
		if errors.Is(err, input.ErrTruncated) {
			r.logger.Warn("file is shorter than the checkpoint (truncated or replaced); reading it from the start", "offset", offset)
			err = rd.Resume(0, 0)
		}
		if err != nil {
			_ = rd.Close()
			return nil, err
		}
		r.logger.Info("resuming input", "line", line, "offset", offset)
	}
	return rd, nil
}

func (r *fileRunner) consume(ctx context.Context, rd *input.Reader) error {
	p := pipeline.New(pipeline.Options{
		AgentID: r.a.cfg.Agent.ID, Input: r.cfg.Name, Labels: r.cfg.Labels, Fields: rd.Fields(),
		Factory: r.a.factory, Decision: r.a.cfg.Decision.DecisionOptions(), Severity: r.a.cfg.Decision.Severity,
		LoadState: r.ob.State, Metrics: r.pm, Logger: r.logger,
	})
	r.a.health.set(r.cfg.Name, protocol.HealthOK, nil)
	pace := newPacer(r.cfg.File.Rate)
	for ctx.Err() == nil {
		b, err := rd.Next(pace.batch(batchRows))
		if errors.Is(err, io.EOF) {
			if !r.cfg.File.Follow {
				r.logger.Info("input finished", "path", r.cfg.File.Path)
				return nil
			}
			sleep(ctx, pollInterval)
			continue
		}
		if err != nil {
			return err
		}
		if err := r.process(p, b); err != nil {
			return err
		}
		pace.wait(ctx, len(b.Records)+len(b.Bad))
	}
	return nil
}

// process scores a batch and commits its entries, state and position in
// one transaction.
func (r *fileRunner) process(p *pipeline.Pipeline, b input.Batch) error {
	r.countBad(b.Bad)
	res, err := p.Process(b.Records)
	if err != nil {
		return err
	}
	err = r.ob.Commit(outbox.Commit{Entries: res.Entries, Input: r.cfg.Name, Offset: b.Offset, Line: b.Line, States: res.States})
	if err != nil {
		return err
	}
	r.a.metrics.records.WithLabelValues(r.cfg.Name).Add(float64(len(b.Records)))
	r.a.metrics.alerts.WithLabelValues(r.cfg.Name).Add(float64(res.Alerts))
	return nil
}

func (r *fileRunner) countBad(bad []input.BadRecord) {
	for _, br := range bad {
		r.a.metrics.errors.WithLabelValues(r.cfg.Name, br.Reason).Inc()
		if ok, n := r.limiter.Allow(br.Reason); ok {
			r.logger.Warn("skipped a bad record", "reason", br.Reason, "err", br.Err, "suppressed", n)
		}
	}
}

func (r *fileRunner) warn(key, msg string, err error) {
	if ok, n := r.limiter.Allow(key); ok {
		r.logger.Warn(msg, "err", err, "suppressed", n)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
