package agent

import (
	"context"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/detectors"
	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/agent/pipeline"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/protocol"
)

// InputLabel is the label every series gets, naming its input.
const InputLabel = "input"

const (
	// batchRows bounds one transaction; rate-limited inputs use smaller ones.
	batchRows = 512
	// pollInterval is how often a followed file, or a missing one, is re-checked.
	pollInterval = 250 * time.Millisecond
	retryOpen    = 5 * time.Second
)

// fileRunner reads one file input, scores it and commits each batch with
// its position.
type fileRunner struct{ runnerBase }

func (a *Agent) newFileRunner(in config.Input, ob *outbox.Store, pm *pipeline.Metrics) *fileRunner {
	return &fileRunner{a.newRunnerBase(in, ob, pm)}
}

// Run reads until ctx ends (follow mode) or the file is done. Whatever
// goes wrong with the input — the file missing, unreadable, truncated, a
// commit failing, its detector plugin down — marks the input failed and is
// retried from the last checkpoint: an unattended agent must not exit, nor
// stop its other inputs, because one file misbehaves.
func (r *fileRunner) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		err := r.runOnce(ctx)
		if err == nil || ctx.Err() != nil {
			return nil
		}
		r.a.health.set(r.cfg.Name, protocol.HealthFailed, err)
		r.warn("input", "input failed; retrying from its checkpoint", err)
		sleep(ctx, retryOpen)
	}
	return nil
}

func (r *fileRunner) runOnce(ctx context.Context) error {
	pf, err := newPipelineFactory(r.src)
	if err != nil {
		return err
	}
	defer pf.closeInstances()
	rd, source, err := r.open()
	if err != nil {
		return err
	}
	defer func() { _ = rd.Close() }()
	return r.consume(ctx, rd, source, pf)
}

// open opens the file and resumes from its checkpoint when the checkpoint
// belongs to this very file; a different file starts from the beginning.
func (r *fileRunner) open() (*input.Reader, string, error) {
	fc := r.cfg.File
	format, err := input.ParseFormat(fc.Format)
	if err != nil {
		return nil, "", err
	}
	rd, err := input.OpenFile(fc.Path, input.FileOptions{
		Format: format, TimestampField: fc.TimestampColumn, Fields: fc.Columns,
		Separator: fc.SeparatorRune(), Follow: fc.Follow,
	})
	if err != nil {
		return nil, "", err
	}
	source, err := r.resume(rd)
	if err != nil {
		_ = rd.Close()
		return nil, "", err
	}
	return rd, source, nil
}

func (r *fileRunner) resume(rd *input.Reader) (string, error) {
	fi, err := rd.Stat()
	if err != nil {
		return "", err
	}
	source := sourceID(r.cfg.File.Path, fi)
	pos, ok, err := r.ob.Checkpoint(r.cfg.Name)
	if err != nil || !ok {
		return source, err
	}
	if pos.Source != "" && pos.Source != source {
		r.logger.Warn("input file is not the one checkpointed (path changed or file replaced); reading it from the start",
			"checkpoint", pos.Source, "file", source)
		return source, nil
	}
	err = rd.Resume(pos.Offset, pos.Line)
	if errors.Is(err, input.ErrTruncated) {
		r.logger.Warn("file is shorter than the checkpoint (truncated or replaced); reading it from the start", "offset", pos.Offset)
		return source, rd.Resume(0, 0)
	}
	if err == nil {
		r.logger.Info("resuming input", "line", pos.Line, "offset", pos.Offset)
	}
	return source, err
}

func (r *fileRunner) consume(ctx context.Context, rd *input.Reader, source string, pf *pipelineFactory) error {
	r.a.health.set(r.cfg.Name, protocol.HealthOK, nil)
	var p *pipeline.Pipeline
	var fields []string
	pace := newPacer(r.cfg.File.Rate)
	for ctx.Err() == nil {
		b, err := rd.Next(pace.batch(batchRows))
		switch {
		case errors.Is(err, io.EOF):
			if !r.cfg.File.Follow {
				r.logger.Info("input finished", "path", r.cfg.File.Path)
				return nil
			}
			sleep(ctx, pollInterval)
			continue
		case errors.Is(err, input.ErrTruncated): // copytruncate rotation
			r.logger.Warn("file was truncated; reading it from the start", "path", r.cfg.File.Path)
			if err := rd.Resume(0, 0); err != nil {
				return err
			}
			continue
		case err != nil:
			return err
		}
		// The CSV header may arrive after the agent started (follow mode):
		// series exist only once the columns are known.
		if p == nil || !slices.Equal(fields, rd.Fields()) {
			pf.closeInstances()
			fields = slices.Clone(rd.Fields())
			p = r.newPipeline(fields, pf)
		}
		if err := r.process(p, pf, b, source); err != nil {
			return err
		}
		pace.wait(ctx, len(b.Records)+len(b.Bad))
	}
	return nil
}

// process scores a batch and commits its entries, state and position in
// one transaction; not if its detector plugin was lost on the way, as
// points would be missing.
func (r *fileRunner) process(p *pipeline.Pipeline, pf *pipelineFactory, b input.Batch, source string) error {
	res, err := p.Process(b.Records)
	if err == nil {
		err = pf.Lost()
	}
	if err != nil {
		return err
	}
	pos := outbox.Position{Offset: b.Offset, Line: b.Line, Source: source}
	err = r.ob.Commit(outbox.Commit{Entries: res.Entries, Input: r.cfg.Name, Position: pos, States: res.States})
	if err != nil {
		return err
	}
	r.a.alertOut.send(res.Entries)
	// Counted once committed: a failed batch is read again.
	r.countBad(b.Bad, "record")
	r.a.metrics.records.WithLabelValues(r.cfg.Name).Add(float64(len(b.Records)))
	r.a.metrics.alerts.WithLabelValues(r.cfg.Name).Add(float64(res.Alerts))
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// streamable returns f as a streaming detector. Built-in batch detectors
// come wrapped already (detectors.Build); a batch plugin is wrapped here,
// fitted on the first detectors.DefaultFitRows samples of each series.
func streamable(f sdk.Factory) sdk.Factory {
	if f.Info().Kind != sdk.Batch {
		return f
	}
	if ff, err := sdk.FitFirst(f, detectors.DefaultFitRows); err == nil {
		return ff
	}
	return f // unreachable: FitFirst fails only for streaming detectors or < 2 rows
}
