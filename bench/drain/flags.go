package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/pynomaly/pynomaly/agent/config"
)

type options struct {
	alerts, runs, series int
	agents               []int
	rates                []float64
	baselines            bool
	cpuProfile           string
}

func parse(args []string) (options, error) {
	fs := flag.NewFlagSet("bench/drain", flag.ContinueOnError)
	var o options
	var agents, rates string
	fs.IntVar(&o.alerts, "alerts", 100000, "the backlog, in alerts, split evenly over each case's agents")
	fs.IntVar(&o.runs, "runs", 3, "runs of every case; each run measures every case once, in turn")
	fs.IntVar(&o.series, "series", 48, "series per agent the alerts come from")
	fs.StringVar(&agents, "agents", "1,4,16", "agents draining at once, one case per count")
	fs.StringVar(&rates, "rates", "0,"+strconv.Itoa(config.DefaultDrainRate), "each agent's drain rate in alerts/s (0: unbounded), one case per rate")
	fs.BoolVar(&o.baselines, "baselines", true, "measure the baselines (JetStream, uplink, SQLite, ingest alone)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run (every component is in this process) to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var err error
	if o.agents, err = parseList(agents, strconv.Atoi); err != nil {
		return o, fmt.Errorf("-agents: %w", err)
	}
	if o.rates, err = parseList(rates, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }); err != nil {
		return o, fmt.Errorf("-rates: %w", err)
	}
	for _, k := range o.agents {
		if k < 1 || o.alerts < k {
			return o, fmt.Errorf("-agents %d: want 1 to -alerts (%d)", k, o.alerts)
		}
	}
	if o.runs < 1 || o.series < 1 {
		return o, fmt.Errorf("-runs %d, -series %d: want at least 1 each", o.runs, o.series)
	}
	return o, nil
}

func parseList[T int | float64](s string, conv func(string) (T, error)) ([]T, error) {
	var out []T
	for _, f := range strings.Split(s, ",") {
		v, err := conv(strings.TrimSpace(f))
		if err != nil || v < 0 {
			return nil, fmt.Errorf("%q: want a comma-separated list of numbers, 0 or more", s)
		}
		out = append(out, v)
	}
	return out, nil
}
