package agent

import (
	"context"
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
	// batchRows bounds what one file gives to one transaction;
	// rate-limited inputs use smaller batches.
	batchRows = 512
	// pollInterval is how often followed files are checked for new lines.
	pollInterval = 250 * time.Millisecond
	// scanInterval is how often the path is looked at again for new,
	// rotated or vanished files.
	scanInterval = time.Second
	retryOpen    = 5 * time.Second
)

// fileRunner reads one file input: the file at its path, or every file its
// pattern matches, each followed through truncation and rotation (see
// tailer). Each batch is committed with the position of the file it came
// from.
type fileRunner struct {
	runnerBase
	// scanned is set after the first look at the path: files found then
	// may start at their end (read_from: end); later ones never do.
	scanned bool
}

func (a *Agent) newFileRunner(in config.Input, ob *outbox.Store, pm *pipeline.Metrics) *fileRunner {
	return &fileRunner{runnerBase: a.newRunnerBase(in, ob, pm)}
}

func (a *Agent) fileRunnerFor(p inputPlan, ob *outbox.Store, pm *pipeline.Metrics) *fileRunner {
	return &fileRunner{runnerBase: a.runnerBaseFor(p, ob, pm)}
}

// Run reads until ctx ends (follow mode) or the files are done. Whatever
// goes wrong with the input as a whole — a commit failing, its detector
// plugin down — marks the input failed and is retried from the last
// checkpoints; a problem with one file (missing, unreadable, a bad header)
// is retried for that file alone. An unattended agent must not exit, nor
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
	if err := r.resetStates(); err != nil {
		return err
	}
	t, err := r.newTailer()
	if err != nil {
		return err
	}
	defer t.close()
	pace := newPacer(r.cfg.File.Rate)
	for ctx.Err() == nil {
		if time.Since(t.lastScan) >= scanInterval {
			t.scan()
		}
		rows, err := t.round(pace.batch(batchRows))
		if err != nil {
			return err
		}
		if !r.cfg.File.Follow && t.finished() {
			r.logger.Info("input finished", "path", r.cfg.File.Path)
			return nil
		}
		if rows == 0 {
			sleep(ctx, pollInterval)
			continue
		}
		pace.wait(ctx, rows)
	}
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

// fileOptions are the reader options of the input's files.
func (r *fileRunner) fileOptions() (input.FileOptions, error) {
	fc := r.cfg.File
	format, err := input.ParseFormat(fc.Format)
	if err != nil {
		return input.FileOptions{}, err
	}
	return input.FileOptions{Format: format, TimestampField: fc.TimestampColumn, Fields: fc.Columns,
		Separator: fc.SeparatorRune(), Follow: fc.Follow}, nil
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
