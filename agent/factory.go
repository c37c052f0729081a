package agent

import (
	"fmt"
	"io"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// detectorSource yields the factory an input's detectors come from: a
// built-in one, or a supervised plugin's current process.
type detectorSource interface {
	// acquire returns the factory to create detectors with now, and a
	// function to tell of any error from those detectors' calls. It fails
	// when there is none to be had now (a plugin that is not running).
	acquire() (f sdk.Factory, report func(error), err error)
}

type builtinSource struct{ f sdk.Factory }

func (b builtinSource) acquire() (sdk.Factory, func(error), error) { return b.f, func(error) {}, nil }

type failedSource struct{ err error }

func (s failedSource) acquire() (sdk.Factory, func(error), error) { return nil, nil, s.err }

// pipelineFactory is the sdk.Factory one run of an input (runOnce) gives
// its pipelines. A plugin can die mid-batch; the pipeline takes a failed
// Score for a value the detector refused and goes on, which would commit
// a batch with points missing. So every detector is guarded: the first
// call that finds the plugin gone (or hung) marks the factory lost, later
// calls fail at once without reaching the plugin, and the runner, seeing
// Lost, fails the batch uncommitted. The next run rescores it from the
// checkpoint, on a relaunched plugin, with the state saved in the outbox.
//
// A pipelineFactory is used by one goroutine, as its pipelines are.
type pipelineFactory struct {
	src     detectorSource
	info    sdk.Info
	lost    error
	closers []io.Closer
}

func newPipelineFactory(src detectorSource) (*pipelineFactory, error) {
	f, _, err := src.acquire()
	if err != nil {
		return nil, err
	}
	return &pipelineFactory{src: src, info: f.Info()}, nil
}

// Info is the detector's Info as it was when the run started: alerts carry
// its name, so it must not change within a pipeline.
func (f *pipelineFactory) Info() sdk.Info { return f.info }

// New creates a guarded detector, launching the plugin again if it exited.
func (f *pipelineFactory) New(dim int) (sdk.Detector, error) {
	if f.lost != nil {
		return nil, f.lost
	}
	base, report, err := f.src.acquire()
	if err != nil {
		return nil, f.lose(err)
	}
	if info := base.Info(); info != f.info {
		return nil, f.lose(fmt.Errorf("detector changed from %s version %s to %s version %s; restarting the input",
			f.info.Name, f.info.Version, info.Name, info.Version))
	}
	d, err := base.New(dim)
	if err != nil {
		return nil, f.check(err, report)
	}
	if c, ok := d.(io.Closer); ok {
		f.closers = append(f.closers, c)
	}
	return guard(&guarded{d: d, f: f, report: report}), nil
}

// Lost returns why the detectors' results since the run started cannot
// be trusted, or nil.
func (f *pipelineFactory) Lost() error { return f.lost }

// closeInstances frees the detectors made so far that hold resources (a
// plugin's instances); the agent calls it when their pipeline goes.
func (f *pipelineFactory) closeInstances() {
	for _, c := range f.closers {
		_ = c.Close() // nothing to do about it: the plugin frees what it can
	}
	f.closers = nil
}

func (f *pipelineFactory) check(err error, report func(error)) error {
	if err != nil && pluginLost(err) {
		report(err)
		f.lose(err)
	}
	return err
}

func (f *pipelineFactory) lose(err error) error {
	if f.lost == nil {
		f.lost = err
	}
	return f.lost
}
