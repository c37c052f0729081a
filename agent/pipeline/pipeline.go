// Package pipeline turns one input's records into scores, decisions and
// alert entries, keeping per-series detector and decision state.
//
// A Pipeline belongs to one input and is used by one goroutine. It never
// writes to disk itself: Process returns the entries and the changed state
// so the caller commits them with the input position in one transaction.
package pipeline

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/pynomaly/pynomaly/agent/decision"
	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/plugins/sdk"
	"github.com/pynomaly/pynomaly/plugins/threshold"
	"github.com/pynomaly/pynomaly/protocol"
)

// Options configures a Pipeline.
type Options struct {
	AgentID string
	// Input names the input; it scopes the state keys.
	Input  string
	Labels map[string]string
	// Fields are the record's value fields; each is its own series.
	Fields  []string
	Factory sdk.Factory
	// Decision is the alerting hysteresis. Decision.Threshold is used only
	// when NewPolicy is nil, as a fixed threshold.
	Decision decision.Options
	// NewPolicy makes each series' threshold policy, which judges every
	// score anomalous or normal. Learned policies are fed a series' scores
	// from its first non-zero score on: detectors score exactly 0 while
	// they warm up or collect their fit window, and those zeros would
	// otherwise make up the policy's calibration.
	NewPolicy func() (threshold.Policy, error)
	Severity  string
	// LoadState returns the state last committed under key, or nil.
	LoadState func(key string) ([]byte, error)
	Metrics   *Metrics
	Logger    *slog.Logger
	// Now stamps alerts' DetectedAt; nil means time.Now.
	Now func() time.Time
}

// Pipeline scores the records of one input.
type Pipeline struct {
	opts    Options
	fields  []field
	series  map[string]*series
	metrics *modelMetrics
	// Scratch for scoreSeries, reused across batches.
	xs     [][]float64
	scores []float64
}

type field struct {
	name, series, stateKey string
	index                  int
}

type series struct {
	det sdk.Detector
	pol threshold.Policy
	// polFed: the policy has been fed a score (see Options.NewPolicy).
	polFed bool
	dec    decision.State
	dirty  bool
}

// New returns a Pipeline; series state is loaded lazily on first use.
func New(opts Options) *Pipeline {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.NewPolicy == nil {
		t := opts.Decision.Threshold
		if t == 0 {
			t = decision.DefaultThreshold
		}
		opts.NewPolicy = func() (threshold.Policy, error) { return threshold.NewFixed(t) }
	}
	p := &Pipeline{opts: opts, series: make(map[string]*series), metrics: opts.Metrics.forModel(opts.Factory.Info().Name)}
	for _, f := range opts.Fields {
		name := protocol.SeriesName(f, opts.Labels)
		p.fields = append(p.fields, field{name: f, series: name, stateKey: opts.Input + "/" + name, index: len(p.fields)})
	}
	return p
}

// Result is what one Process call produced.
type Result struct {
	Entries []outbox.Entry
	// States holds the encoded state of every series the batch changed,
	// by state key.
	States map[string][]byte
	Alerts int
}

// Process scores recs in order. Each series' values cross to its detector
// in one ScoreBatch call, which is what keeps an out-of-process plugin
// detector affordable. It fails only when a series' saved state cannot be
// loaded or its detector cannot be created.
func (p *Pipeline) Process(recs []input.Record) (Result, error) {
	var res Result
	for j := range p.fields {
		if err := p.scoreSeries(recs, j, &res); err != nil {
			return Result{}, err
		}
	}
	res.States = make(map[string][]byte)
	for j := range p.fields {
		s := p.series[p.fields[j].series]
		if s == nil || !s.dirty {
			continue
		}
		b, err := encodeState(s)
		if err != nil {
			return Result{}, fmt.Errorf("series %s: %w", p.fields[j].series, err)
		}
		res.States[p.fields[j].stateKey] = b
		s.dirty = false
	}
	return res, nil
}

// scoreSeries scores field j of every record, then decides on the scores
// in record order. A value the detector refuses is counted and skipped.
func (p *Pipeline) scoreSeries(recs []input.Record, j int, res *Result) error {
	f := &p.fields[j]
	s, err := p.seriesFor(f)
	if err != nil || len(recs) == 0 {
		return err
	}
	p.xs = p.xs[:0]
	for i := range recs {
		p.xs = append(p.xs, recs[i].Values[j:j+1])
	}
	if cap(p.scores) < len(recs) {
		p.scores = make([]float64, len(recs))
	}
	scores := p.scores[:len(recs)]
	for done := 0; done < len(recs); {
		start := time.Now()
		n, err := s.det.ScoreBatch(p.xs[done:], scores[done:])
		n = min(max(n, 0), len(recs)-done)
		p.metrics.observeBatch(time.Since(start), n)
		if err := p.decide(f, s, recs[done:done+n], scores[done:done+n], res); err != nil {
			return err
		}
		done += n
		if done == len(recs) {
			break
		}
		if err == nil {
			err = fmt.Errorf("detector scored %d of %d values without an error", n, len(recs)-done+n)
		}
		// The reader already rejects non-finite values, so this is a
		// detector refusing a value: count it and go on with the next.
		p.metrics.refused()
		p.opts.Logger.Debug("detector rejected a value", "series", f.series, "line", recs[done].Line, "err", err)
		done++
	}
	return nil
}

// decide feeds scores, in order, to the series' decision state and turns
// raised decisions into alert entries.
func (p *Pipeline) decide(f *field, s *series, recs []input.Record, scores []float64, res *Result) error {
	for i, score := range scores {
		s.dirty = true
		// The threshold this score is judged against, before the policy
		// learns from it.
		t := s.pol.Threshold()
		anomalous := p.judge(f, s, score)
		p.metrics.result(anomalous)
		if !s.dec.Step(anomalous, p.opts.Decision) {
			continue
		}
		e, err := p.alert(f, &recs[i], recs[i].Values[f.index], score, t)
		if err != nil {
			return err
		}
		res.Entries = append(res.Entries, e)
		res.Alerts++
	}
	return nil
}

// judge asks the series' policy whether score is anomalous; see
// Options.NewPolicy for the leading zeros it is not fed.
func (p *Pipeline) judge(f *field, s *series, score float64) bool {
	if !s.polFed {
		if score == 0 {
			return false
		}
		s.polFed = true
	}
	anomalous, err := s.pol.Observe(score)
	if err != nil {
		// Only a detector breaking the [0, 1] contract gets here (a
		// plugin's NaN, say): the point counts as normal.
		p.metrics.refused()
		p.opts.Logger.Debug("threshold policy rejected a score", "series", f.series, "err", err)
		return false
	}
	return anomalous
}

func (p *Pipeline) seriesFor(f *field) (*series, error) {
	if s, ok := p.series[f.series]; ok {
		return s, nil
	}
	s, err := p.newSeries(f)
	if err != nil {
		return nil, err
	}
	saved, err := p.opts.LoadState(f.stateKey)
	if err != nil {
		return nil, fmt.Errorf("series %s: load state: %w", f.series, err)
	}
	if saved != nil {
		polErr, err := decodeState(saved, s)
		switch {
		case err != nil:
			// A state we cannot read (e.g. after a detector change) is not
			// worth stopping for: relearn, and say so. The detector may
			// have restored its part before the rest failed: use a new one.
			p.opts.Logger.Warn("discarding unreadable series state; relearning", "series", f.series, "err", err)
			if s, err = p.newSeries(f); err != nil {
				return nil, err
			}
		case polErr != nil:
			// The threshold policy or its params changed; the detector's
			// model is still good.
			p.opts.Logger.Info("threshold policy changed; relearning the threshold", "series", f.series, "err", polErr)
		}
	}
	p.series[f.series] = s
	return s, nil
}

func (p *Pipeline) newSeries(f *field) (*series, error) {
	det, err := p.opts.Factory.New(1)
	if err != nil {
		return nil, fmt.Errorf("series %s: new detector: %w", f.series, err)
	}
	pol, err := p.opts.NewPolicy()
	if err != nil {
		return nil, fmt.Errorf("series %s: new threshold policy: %w", f.series, err)
	}
	return &series{det: det, pol: pol}, nil
}
