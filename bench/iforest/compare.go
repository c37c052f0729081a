package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/pynomaly/pynomaly/plugins/detectortest"
	"github.com/pynomaly/pynomaly/plugins/iforest"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// config is the command line.
type config struct {
	python, script string
	rows, dim      int
	spread, margin float64
	seed           uint64
	single, skl    int // single-point calls timed: ours, scikit-learn's
}

func parse(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("iforest", flag.ContinueOnError)
	fs.StringVar(&c.python, "python", "/usr/bin/python3", "Python with scikit-learn")
	fs.StringVar(&c.script, "script", "bench/iforest/sklearn_iforest.py", "the scikit-learn side")
	fs.IntVar(&c.rows, "rows", 20000, "rows in each of the training and the test set")
	fs.IntVar(&c.dim, "dim", 8, "features per row")
	fs.Float64Var(&c.spread, "spread", 4, "standard deviation of the clusters")
	fs.Float64Var(&c.margin, "margin", 0, "least distance of an outlier from a cluster centre")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the data and of both forests")
	fs.IntVar(&c.single, "single", 20000, "single-point Score calls timed (ours)")
	fs.IntVar(&c.skl, "sklearn-single", 300, "single-point score_samples calls timed (scikit-learn)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.rows < 100 || c.dim < 1 || c.single < 1 || c.skl < 1 {
		return c, fmt.Errorf("want -rows ≥ 100, -dim ≥ 1, -single and -sklearn-single ≥ 1")
	}
	return c, nil
}

// figures are one implementation's measurements.
type figures struct {
	Version     string  `json:"version"`
	FitSeconds  float64 `json:"fit_s"`
	BatchPerSec float64 `json:"batch_points_per_s"`
	// BatchAllCPUs is ours only: ScoreBatch as it runs by default, split
	// across GOMAXPROCS goroutines (BatchPerSec is with GOMAXPROCS 1).
	BatchAllCPUs float64 `json:"-"`
	SingleMean   float64 `json:"single_us_mean"`
	SingleP50    float64 `json:"single_us_p50"`
	AUC          float64 `json:"auc"`
	OursAUC      float64 `json:"ours_auc"` // our scores, ROC-AUC by scikit-learn
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	c, err := parse(args)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "iforest-compare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	xs, outlier := detectortest.Labelled(c.seed, 2*c.rows, c.dim, 0.05, c.spread, c.margin)
	train, test, labels := xs[:c.rows], xs[c.rows:], outlier[c.rows:]
	ours, scores, err := measureOurs(c, train, test)
	if err != nil {
		return err
	}
	ours.AUC = detectortest.AUC(scores, labels)
	paths := map[string]string{"train": "train.csv", "test": "test.csv", "ours": "ours.csv"}
	for k, name := range paths {
		paths[k] = filepath.Join(dir, name)
	}
	if err := writeAll(paths, train, test, labels, scores); err != nil {
		return err
	}
	theirs, err := measureSklearn(ctx, c, paths)
	if err != nil {
		return err
	}
	report(stdout, c, ours, theirs)
	return nil
}

func writeAll(paths map[string]string, train, test [][]float64, labels []bool, scores []float64) error {
	col := make([][]float64, len(scores))
	for i, s := range scores {
		col[i] = []float64{s}
	}
	for _, w := range []struct {
		path   string
		xs     [][]float64
		labels []bool
	}{{paths["train"], train, nil}, {paths["test"], test, labels}, {paths["ours"], col, nil}} {
		if err := writeCSV(w.path, w.xs, w.labels); err != nil {
			return err
		}
	}
	return nil
}

// measureOurs fits the default forest, then times ScoreBatch over the
// test set (repeated for at least a second) and Score point by point.
func measureOurs(c config, train, test [][]float64) (figures, []float64, error) {
	f, err := iforest.New(iforest.Options{Trees: 100, SampleSize: 256, Seed: c.seed})
	if err != nil {
		return figures{}, nil, err
	}
	d, err := f.New(c.dim)
	if err != nil {
		return figures{}, nil, err
	}
	start := time.Now()
	if err := d.(sdk.Fitter).Fit(train); err != nil {
		return figures{}, nil, err
	}
	fig := figures{Version: runtime.Version(), FitSeconds: time.Since(start).Seconds()}
	out := make([]float64, len(test))
	procs := runtime.GOMAXPROCS(1)
	fig.BatchPerSec, err = batchRate(d, test, out)
	runtime.GOMAXPROCS(procs)
	if err != nil {
		return figures{}, nil, err
	}
	if fig.BatchAllCPUs, err = batchRate(d, test, out); err != nil {
		return figures{}, nil, err
	}
	lat := make([]float64, c.single)
	for i := range lat {
		x := test[i%len(test)]
		t0 := time.Now()
		if _, err := d.Score(x); err != nil {
			return figures{}, nil, err
		}
		lat[i] = float64(time.Since(t0).Nanoseconds()) / 1e3
	}
	fig.SingleMean, fig.SingleP50 = meanAndMedian(lat)
	return fig, out, nil
}

// batchRate times ScoreBatch over test, repeated for at least a second,
// in points per second.
func batchRate(d sdk.Detector, test [][]float64, out []float64) (float64, error) {
	reps, start := 0, time.Now()
	for ; reps < 3 || time.Since(start) < time.Second; reps++ {
		if _, err := d.ScoreBatch(test, out); err != nil {
			return 0, err
		}
	}
	return float64(reps*len(test)) / time.Since(start).Seconds(), nil
}

func meanAndMedian(xs []float64) (mean, median float64) {
	for _, v := range xs {
		mean += v
	}
	s := slices.Sorted(slices.Values(xs))
	return mean / float64(len(xs)), s[len(s)/2]
}

// measureSklearn runs the Python side, which prints its figures as JSON.
func measureSklearn(ctx context.Context, c config, paths map[string]string) (figures, error) {
	cmd := exec.CommandContext(ctx, c.python, c.script,
		"--train", paths["train"], "--test", paths["test"], "--ours", paths["ours"],
		"--trees", "100", "--sample-size", "256", "--seed", strconv.FormatUint(c.seed, 10),
		"--single", strconv.Itoa(c.skl))
	cmd.Stderr = os.Stderr
	raw, err := cmd.Output()
	if err != nil {
		return figures{}, fmt.Errorf("%s %s: %w", c.python, c.script, err)
	}
	var fig figures
	if err := json.Unmarshal(raw, &fig); err != nil {
		return figures{}, fmt.Errorf("%s printed %q: %w", c.script, raw, err)
	}
	return fig, nil
}

func report(w io.Writer, c config, ours, skl figures) {
	fmt.Fprintf(w, "data: %d training and %d test rows, %d features, 3 clusters (sd %g) and 5%% uniform outliers (margin %g)\n", c.rows, c.rows, c.dim, c.spread, c.margin)
	fmt.Fprintf(w, "forests: 100 trees, sample size 256, seed %d, one thread each unless said; run on %s/%s, %d CPUs\n\n", c.seed, runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Fprintf(w, "%-28s %16s %16s %10s\n", "", "pynomaly iforest", "scikit-learn", "ratio")
	fmt.Fprintf(w, "%-28s %16s %16s\n", "version", ours.Version, skl.Version)
	fmt.Fprintf(w, "%-28s %16.3f %16.3f %9.1fx\n", "fit (s)", ours.FitSeconds, skl.FitSeconds, skl.FitSeconds/ours.FitSeconds)
	batch := ours.BatchPerSec / skl.BatchPerSec
	fmt.Fprintf(w, "%-28s %16.0f %16.0f %9.1fx  target ≥ 20x: %s\n", "batch scoring (points/s)", ours.BatchPerSec, skl.BatchPerSec, batch, verdict(batch >= 20))
	// scikit-learn's score_samples has no parallel path (n_jobs is for fit).
	all := ours.BatchAllCPUs / skl.BatchPerSec
	fmt.Fprintf(w, "%-28s %16.0f %16.0f %9.1fx  target ≥ 20x: %s\n", fmt.Sprintf("  on all %d CPUs (points/s)", runtime.GOMAXPROCS(0)), ours.BatchAllCPUs, skl.BatchPerSec, all, verdict(all >= 20))
	single := skl.SingleMean / ours.SingleMean
	fmt.Fprintf(w, "%-28s %16.2f %16.1f %9.0fx  target ≥ 1000x: %s\n", "single point, mean (µs)", ours.SingleMean, skl.SingleMean, single, verdict(single >= 1000))
	fmt.Fprintf(w, "%-28s %16.2f %16.1f %9.0fx\n", "single point, median (µs)", ours.SingleP50, skl.SingleP50, skl.SingleP50/ours.SingleP50)
	diff := skl.OursAUC - skl.AUC
	fmt.Fprintf(w, "%-28s %16.4f %16.4f %+10.4f  target within 0.01: %s\n", "ROC-AUC (sklearn metric)", skl.OursAUC, skl.AUC, diff, verdict(diff >= -0.01))
	fmt.Fprintf(w, "%-28s %16.4f\n", "ROC-AUC (our Go helper)", ours.AUC)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
