package harness

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/pynomaly/pynomaly/agent/detectors"
	"github.com/pynomaly/pynomaly/agent/nab"
)

// Options says what to run.
type Options struct {
	// Data is NAB's folder: data/ and labels/combined_windows.json.
	Data string
	// Out, when set, receives each file's results in NAB's layout.
	Out      string
	Pipeline Pipeline
	// Workers is how many files are scored at once; 0 means GOMAXPROCS.
	Workers int
}

// Report is what a run measured.
type Report struct {
	Detector                     string
	Files, Rows, Windows, Alerts int
	Workers                      int
	// Stream is the wall time of reading and scoring every file.
	Stream time.Duration
	// Optimised holds each profile's outcome at its label-optimised
	// threshold; LabelFree, at the alerts the pipeline raised. Both are in
	// nab.Profiles() order.
	Optimised, LabelFree []nab.Outcome
	// Halves is the split check: each half of the corpus' folders (SplitA
	// and the rest) that has a window, scored on its own.
	Halves []Half
}

// RowsPerSecond is the rows streamed per second of Stream.
func (r Report) RowsPerSecond() float64 { return float64(r.Rows) / r.Stream.Seconds() }

// Run streams every NAB file through the agent's detection code, writes the
// results and scores them.
func Run(ctx context.Context, opts Options) (Report, error) {
	files, err := listCorpus(opts.Data)
	if err != nil {
		return Report{}, err
	}
	f, err := detectors.BuildSpec(opts.Pipeline.Detector.Spec())
	if err != nil {
		return Report{}, err
	}
	rep := Report{Detector: opts.Pipeline.Detector.Type, Files: len(files), Workers: opts.Workers}
	if rep.Workers <= 0 {
		rep.Workers = runtime.GOMAXPROCS(0)
	}
	start := time.Now()
	all, err := streamAll(ctx, files, rep.Workers, func(path string) (*series, error) {
		return stream(path, f, opts.Pipeline.Decision)
	})
	if err != nil {
		return Report{}, err
	}
	rep.Stream = time.Since(start)
	fl, err := label(files, all)
	if err != nil {
		return Report{}, err
	}
	corpus, err := nab.NewCorpus(fl)
	if err != nil {
		return Report{}, err
	}
	if err := rep.score(corpus, all); err != nil {
		return Report{}, err
	}
	if rep.Halves, err = split(fl, seriesScores(all)); err != nil {
		return Report{}, err
	}
	if opts.Out != "" {
		return rep, writeResults(opts.Out, rep.Detector, files, all, corpus)
	}
	return rep, nil
}

// streamAll runs fn on every file, workers at a time, keeping file order.
func streamAll(ctx context.Context, files []corpusFile, workers int, fn func(string) (*series, error)) ([]*series, error) {
	all := make([]*series, len(files))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i, cf := range files {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			s, err := fn(cf.path)
			if err != nil {
				return fmt.Errorf("%s: %w", cf.name, err)
			}
			all[i] = s
			return nil
		})
	}
	return all, g.Wait()
}

// label places each file's windows on its rows.
func label(files []corpusFile, all []*series) ([]nab.FileLabels, error) {
	fl := make([]nab.FileLabels, len(files))
	for i, cf := range files {
		w, err := nab.Locate(all[i].ts, cf.spans)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cf.name, err)
		}
		fl[i] = nab.FileLabels{Name: cf.name, Rows: len(all[i].ts), Windows: w}
	}
	return fl, nil
}

func seriesScores(all []*series) [][]float64 {
	scores := make([][]float64, len(all))
	for i, s := range all {
		scores[i] = s.scores
	}
	return scores
}

// score fills in the counts and each profile's outcomes: scores at the
// best threshold, and alerts as the detections (an alerted row scores 1,
// every other 0, judged at threshold 1).
func (r *Report) score(c *nab.Corpus, all []*series) error {
	scores := seriesScores(all)
	alerts := make([][]float64, len(all))
	for i, s := range all {
		alerts[i] = make([]float64, len(s.alerted))
		for j, a := range s.alerted {
			if a {
				alerts[i][j] = 1
			}
		}
		r.Rows += len(s.ts)
		r.Alerts += s.alerts
	}
	r.Windows = c.Windows()
	for _, p := range nab.Profiles() {
		opt, err := c.Optimise(p, scores)
		if err != nil {
			return err
		}
		free, err := c.Score(p, alerts, 1)
		if err != nil {
			return err
		}
		r.Optimised, r.LabelFree = append(r.Optimised, opt), append(r.LabelFree, free)
	}
	return nil
}
