package main

import (
	"fmt"
	"io"
	"slices"
)

// results holds, per measurement, the alerts/s of each run.
type results [][]float64

// The baselines the drains are compared with, by index in measurements.
const (
	basePublish = 0
	baseInsert  = 2
)

// print writes one row per measurement: the range and median over the
// runs and, with the baselines, the range of its ratio to the JetStream
// and the SQLite baselines of the same run.
func (res results) print(w io.Writer, ms []measurement, baselines bool) {
	fmt.Fprintf(w, "%-36s %20s %10s", "case", "alerts/s (range)", "median")
	if baselines {
		fmt.Fprintf(w, " %14s %14s", "÷ publish", "÷ insert")
	}
	fmt.Fprintln(w)
	for i, m := range ms {
		lo, hi := slices.Min(res[i]), slices.Max(res[i])
		fmt.Fprintf(w, "%-36s %20s %10.0f", m.name, fmt.Sprintf("%.0f–%.0f", lo, hi), median(res[i]))
		if baselines {
			fmt.Fprintf(w, " %14s %14s", ratios(res[i], res[basePublish]), ratios(res[i], res[baseInsert]))
		}
		fmt.Fprintln(w)
	}
}

// ratios is the range of a[r]/b[r] over the runs r.
func ratios(a, b []float64) string {
	rs := make([]float64, len(a))
	for r := range a {
		rs[r] = a[r] / b[r]
	}
	return fmt.Sprintf("%.2f–%.2f", slices.Min(rs), slices.Max(rs))
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
