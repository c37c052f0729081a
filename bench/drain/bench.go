package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"time"
)

// measurement is one case of the benchmark; run times one drain of f in
// a fresh directory.
type measurement struct {
	name   string
	agents int
	run    func(ctx context.Context, dir string, f fleet) (result, error)
}

// timed adapts a baseline, which only takes time.
func timed(run func(ctx context.Context, dir string, f fleet) (time.Duration, error)) func(context.Context, string, fleet) (result, error) {
	return func(ctx context.Context, dir string, f fleet) (result, error) {
		d, err := run(ctx, dir, f)
		return result{took: d}, err
	}
}

func measurements(o options) []measurement {
	var ms []measurement
	if o.baselines {
		ms = append(ms,
			measurement{"publish: JetStream alone", 1, timed(timePublish)},
			measurement{"uplink: outbox to JetStream", 1, timed(timeUplink)},
			measurement{"insert: SQLite alone", 1, timed(timeInsert)},
			measurement{"ingest: JetStream to SQLite", 1, timed(timeIngest)},
		)
	}
	for _, k := range o.agents {
		for _, rate := range o.rates {
			name := fmt.Sprintf("drain: %d agent(s), rate %s", k, rateName(rate))
			ms = append(ms, measurement{name, k, func(ctx context.Context, dir string, f fleet) (result, error) {
				return timeDrain(ctx, dir, f, rate)
			}})
		}
	}
	return ms
}

func rateName(r float64) string {
	if r == 0 {
		return "unbounded"
	}
	return strconv.FormatFloat(r, 'f', -1, 64) + "/s"
}

func run(ctx context.Context, args []string, w io.Writer) error {
	o, err := parse(args)
	if err != nil {
		return err
	}
	ms := measurements(o)
	fleets, err := makeFleets(o, ms)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "backlog %d alerts (%d series per agent, %d B per alert on average), split over each case's agents; %d runs; GOMAXPROCS %d\n\n",
		o.alerts, o.series, fleets[1].bytes()/o.alerts, o.runs, runtime.GOMAXPROCS(0))
	if o.cpuProfile != "" {
		stop, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	res := make(results, len(ms))
	for r := range o.runs {
		for i, m := range ms {
			got, err := once(ctx, m, fleets[m.agents])
			if err != nil {
				return fmt.Errorf("run %d, %s: %w", r+1, m.name, err)
			}
			res[i] = append(res[i], float64(o.alerts)/got.took.Seconds())
			fmt.Fprintf(w, "run %d  %-36s %8.0f alerts/s  (%.2f s", r+1, m.name, res[i][r], got.took.Seconds())
			if got.sent > 0 {
				fmt.Fprintf(w, "; outboxes empty at %.2f s", got.sent.Seconds())
			}
			fmt.Fprintln(w, ")")
		}
	}
	fmt.Fprintln(w)
	res.print(w, ms, o.baselines)
	return nil
}

// once measures m in a fresh directory, after a garbage collection, so
// that one case's garbage is not collected during the next one.
func once(ctx context.Context, m measurement, f fleet) (result, error) {
	dir, remove, err := tempDir()
	if err != nil {
		return result{}, err
	}
	defer remove()
	runtime.GC()
	return m.run(ctx, dir, f)
}

// makeFleets builds, once for every run, the backlog of each agent count
// the measurements use: the alerts split evenly over the agents.
func makeFleets(o options, ms []measurement) (map[int]fleet, error) {
	fleets := map[int]fleet{1: nil}
	for _, m := range ms {
		fleets[m.agents] = nil
	}
	for k := range fleets {
		f := make(fleet, k)
		for i := range f {
			n := o.alerts/k + btoi(i < o.alerts%k)
			var err error
			if f[i], err = backlog(agentID(i), n, o.series); err != nil {
				return nil, err
			}
		}
		fleets[k] = f
	}
	return fleets, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (f fleet) bytes() int {
	n := 0
	for _, es := range f {
		for _, e := range es {
			n += len(e.Payload)
		}
	}
	return n
}

func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
