package harness

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
)

// WriteText prints the report as a table: per profile, the normalised
// score at the label-optimised threshold and at the alerts, with the
// windows hit and missed and the false-positive rows behind each.
func (r Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "NAB corpus: %d files, %d rows, %d windows; detector %s\n", r.Files, r.Rows, r.Windows, r.Detector)
	fmt.Fprintf(w, "streamed in %.2fs: %.0f rows/s (%d worker(s), GOMAXPROCS=%d)\n\n",
		r.Stream.Seconds(), r.RowsPerSecond(), r.Workers, runtime.GOMAXPROCS(0))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "profile\tscore\tthreshold\thit/missed/FP\t\tlabel-free score\thit/missed/FP\t\n")
	for i, o := range r.Optimised {
		f := r.LabelFree[i]
		fmt.Fprintf(tw, "%s\t%.2f\t%.6g\t%d/%d/%d\t\t%.2f\t%d/%d/%d\t\n",
			o.Profile, o.Score, o.Threshold, o.Hit, o.Missed, o.FP, f.Score, f.Hit, f.Missed, f.FP)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "\nscore: at the global threshold chosen with the labels (NAB's protocol); "+
		"label-free: detections are the %d alerts the decision section raised\n", r.Alerts); err != nil {
		return err
	}
	return r.writeSplit(w)
}

// writeSplit prints the split check, one line per half: its three
// profiles' scores, each at that half's own optimised threshold.
func (r Report) writeSplit(w io.Writer) error {
	if len(r.Halves) == 0 {
		return nil
	}
	fmt.Fprintf(w, "split check (each half at its own optimised thresholds; A: %s; B: the rest):\n", strings.Join(SplitA(), ", "))
	for _, h := range r.Halves {
		fmt.Fprintf(w, "  %s: %d files, %d windows:", h.Name, h.Files, h.Windows)
		for _, o := range h.Optimised {
			fmt.Fprintf(w, " %s %.2f", o.Profile, o.Score)
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	return nil
}
