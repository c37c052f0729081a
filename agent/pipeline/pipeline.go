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
	"maps"
	"slices"
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
	Fields []string
	// Multivariate makes the values of one record one sample of one
	// series, named Metric, instead of a series per field. A series'
	// fields are those of its first record; records with other fields are
	// skipped (Result.Bad).
	Multivariate bool
	// Metric names the series of a multivariate pipeline; default Input.
	Metric  string
	Factory sdk.Factory
	// Model is the detector state every new series starts from: an
	// assigned model. A series with saved state of its own restores that
	// instead. nil: series learn from nothing.
	Model []byte
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
	opts Options
	// static are the series of opts.Fields under opts.Labels, for records
	// that bring neither labels nor fields of their own (files).
	static []*field
	// dynamic are the series of records with their own labels or fields
	// (MQTT), by canonical labels and field name: one map, as a map per
	// label set would cost a few hundred bytes a series where most label
	// sets (an MQTT topic's) have one field.
	dynamic map[fieldKey]*field
	series  map[string]*series
	metrics *modelMetrics
	// Scratch reused across batches: the batch's values grouped by series.
	groups  []group
	groupOf map[*field]int
	scores  []float64
}

// field is a series: a value's name under one set of labels, or for a
// multivariate pipeline the metric's.
type field struct {
	name, series, stateKey string
	labels                 map[string]string
	// names are a multivariate series' fields, in vector order; nil for a
	// univariate series.
	names []string
}

// fieldKey identifies a dynamic series: the canonical key of its record's
// labels (protocol.SeriesName("", labels)) and the field's name.
type fieldKey struct{ labels, name string }

// group is one series' share of a batch, in record order.
type group struct {
	f    *field
	recs []int       // indexes of the records holding a value of f
	xs   [][]float64 // the values, one per sample
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
	p := &Pipeline{opts: opts, series: make(map[string]*series), metrics: opts.Metrics.forModel(opts.Factory.Info().Name),
		dynamic: make(map[fieldKey]*field), groupOf: make(map[*field]int)}
	if opts.Metric == "" {
		opts.Metric = opts.Input
		p.opts.Metric = opts.Input
	}
	switch {
	case opts.Multivariate && len(opts.Fields) > 0:
		f := p.newField(opts.Metric, opts.Labels)
		f.names = opts.Fields
		p.static = append(p.static, f)
	case !opts.Multivariate:
		for _, name := range opts.Fields {
			p.static = append(p.static, p.newField(name, opts.Labels))
		}
	}
	return p
}

func (p *Pipeline) newField(name string, labels map[string]string) *field {
	// The series name is the state key's tail: one string for both, as a
	// series lives as long as the pipeline.
	key := p.opts.Input + "/" + protocol.SeriesName(name, labels)
	return &field{name: name, series: key[len(p.opts.Input)+1:], stateKey: key, labels: labels}
}

// Labels returns the labels every series carries, Options.Labels; the
// caller must not modify them. A record whose own Labels hold them all,
// with the same values, lends its map to its series instead of each series
// keeping a merged copy: a producer that reuses one map per label set (an
// MQTT topic's) should put them in it.
func (p *Pipeline) Labels() map[string]string { return p.opts.Labels }

// Result is what one Process call produced.
type Result struct {
	Entries []outbox.Entry
	// Bad are the records skipped: a multivariate record whose fields are
	// not its series'.
	Bad []input.BadRecord
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
	p.group(recs, &res)
	for i := range p.groups {
		if err := p.scoreGroup(recs, &p.groups[i], &res); err != nil {
			return Result{}, err
		}
	}
	res.States = make(map[string][]byte, len(p.groups))
	for i := range p.groups {
		f := p.groups[i].f
		s := p.series[f.series]
		if s == nil || !s.dirty {
			continue
		}
		b, err := encodeState(s)
		if err != nil {
			return Result{}, fmt.Errorf("series %s: %w", f.series, err)
		}
		res.States[f.stateKey] = b
		s.dirty = false
	}
	return res, nil
}

// group sorts the batch's values into p.groups by series, keeping record
// order within each. Records without labels or fields of their own take
// the static series, whose groups come first, in field order, without a
// map lookup per value.
func (p *Pipeline) group(recs []input.Record, res *Result) {
	clear(p.groupOf)
	p.groups = p.groups[:0]
	for _, f := range p.static {
		p.addGroup(f)
	}
	for i := range recs {
		r := &recs[i]
		if r.Labels == nil && r.Fields == nil {
			if p.opts.Multivariate {
				g := &p.groups[0]
				g.recs, g.xs = append(g.recs, i), append(g.xs, r.Values)
				continue
			}
			for j := range p.static {
				g := &p.groups[j]
				g.recs, g.xs = append(g.recs, i), append(g.xs, r.Values[j:j+1])
			}
			continue
		}
		names := r.Fields
		if names == nil {
			names = p.opts.Fields
		}
		labels := labelsKey(r)
		if p.opts.Multivariate {
			p.groupVector(labels, r, i, names, res)
			continue
		}
		for j, name := range names {
			f := p.dynamic[fieldKey{labels, name}]
			if f == nil {
				f = p.newField(name, mergeLabels(p.opts.Labels, r.Labels))
				p.dynamic[fieldKey{labels, name}] = f
			}
			gi, ok := p.groupOf[f]
			if !ok {
				gi = p.addGroup(f)
			}
			g := &p.groups[gi]
			g.recs, g.xs = append(g.recs, i), append(g.xs, r.Values[j:j+1])
		}
	}
}

// groupVector adds record i, whose values are named names and whose
// labels have the key labels, to the group of its multivariate series,
// created with names as its fields. A record with the same fields in
// another order is reordered; one with other fields is skipped.
func (p *Pipeline) groupVector(labels string, r *input.Record, i int, names []string, res *Result) {
	key := fieldKey{labels, p.opts.Metric}
	f := p.dynamic[key]
	if f == nil {
		f = p.newField(p.opts.Metric, mergeLabels(p.opts.Labels, r.Labels))
		f.names = slices.Clone(names)
		p.dynamic[key] = f
	}
	x := r.Values
	if !slices.Equal(names, f.names) {
		if x = reorder(names, r.Values, f.names); x == nil {
			res.Bad = append(res.Bad, input.BadRecord{Line: r.Line, Reason: input.ReasonFields,
				Err: fmt.Errorf("fields %v are not series %s's %v", names, f.series, f.names)})
			return
		}
	}
	gi, ok := p.groupOf[f]
	if !ok {
		gi = p.addGroup(f)
	}
	g := &p.groups[gi]
	g.recs, g.xs = append(g.recs, i), append(g.xs, x)
}

// reorder returns values, named names, in the order of want, or nil when
// names are not the same set as want.
func reorder(names []string, values []float64, want []string) []float64 {
	if len(names) != len(want) {
		return nil
	}
	out := make([]float64, len(want))
	for i, w := range want {
		j := slices.Index(names, w)
		if j < 0 {
			return nil
		}
		out[i] = values[j]
	}
	return out
}

// addGroup appends an empty group for f, reusing the slices of the group
// that last stood at that index.
func (p *Pipeline) addGroup(f *field) int {
	i := len(p.groups)
	if i < cap(p.groups) {
		p.groups = p.groups[:i+1]
		g := &p.groups[i]
		g.f, g.recs, g.xs = f, g.recs[:0], g.xs[:0]
	} else {
		p.groups = append(p.groups, group{f: f})
	}
	p.groupOf[f] = i
	return i
}

// labelsKey returns the canonical key of r's labels.
func labelsKey(r *input.Record) string {
	if r.LabelsKey != "" {
		return r.LabelsKey
	}
	return protocol.SeriesName("", r.Labels)
}

// mergeLabels returns base with extra added; base's labels win, so a
// message cannot relabel what the configuration set (the input label
// among them). When one already holds the other, it is returned itself:
// neither is ever modified, and the series keeps no copy.
func mergeLabels(base, extra map[string]string) map[string]string {
	switch {
	case holds(extra, base):
		return extra
	case holds(base, extra):
		return base
	}
	out := make(map[string]string, len(base)+len(extra))
	maps.Copy(out, extra)
	maps.Copy(out, base)
	return out
}

// holds reports whether m has every label of sub, with the same value.
func holds(m, sub map[string]string) bool {
	if m == nil || len(m) < len(sub) {
		return false
	}
	for k, v := range sub {
		if w, ok := m[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// scoreGroup scores a series' values, then decides on the scores in
// record order. A value the detector refuses is counted and skipped.
func (p *Pipeline) scoreGroup(recs []input.Record, g *group, res *Result) error {
	if len(g.recs) == 0 {
		return nil
	}
	s, err := p.seriesFor(g.f)
	if err != nil {
		return err
	}
	n := len(g.xs)
	if cap(p.scores) < n {
		p.scores = make([]float64, n)
	}
	scores := p.scores[:n]
	for done := 0; done < n; {
		start := time.Now()
		k, err := s.det.ScoreBatch(g.xs[done:], scores[done:])
		k = min(max(k, 0), n-done)
		p.metrics.observeBatch(time.Since(start), k)
		if err := p.decide(g, s, recs, done, scores[done:done+k], res); err != nil {
			return err
		}
		done += k
		if done == n {
			break
		}
		if err == nil {
			err = fmt.Errorf("detector scored %d of %d values without an error", k, n-done+k)
		}
		// The reader already rejects non-finite values, so this is a
		// detector refusing a value: count it and go on with the next.
		p.metrics.refused()
		p.opts.Logger.Debug("detector rejected a value", "series", g.f.series, "line", recs[g.recs[done]].Line, "err", err)
		done++
	}
	return nil
}

// decide feeds scores, those of g's values from index from on, to the
// series' decision state and turns raised decisions into alert entries.
func (p *Pipeline) decide(g *group, s *series, recs []input.Record, from int, scores []float64, res *Result) error {
	for k, score := range scores {
		s.dirty = true
		// The threshold this score is judged against, before the policy
		// learns from it.
		t := s.pol.Threshold()
		anomalous := p.judge(g.f, s, score)
		p.metrics.result(anomalous)
		if !s.dec.Step(anomalous, p.opts.Decision) {
			continue
		}
		e, err := p.alert(g.f, s, &recs[g.recs[from+k]], g.xs[from+k], score, t)
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
	dim := max(1, len(f.names))
	det, err := p.opts.Factory.New(dim)
	if err != nil {
		return nil, fmt.Errorf("series %s: new detector: %w", f.series, err)
	}
	if p.opts.Model != nil {
		if err := det.UnmarshalBinary(p.opts.Model); err != nil {
			// Checked when it was assigned, where the dimension was known;
			// a series of another shape learns instead, and says so.
			p.opts.Logger.Warn("the input's model does not fit this series; learning from nothing", "series", f.series, "dim", dim, "err", err)
			if det, err = p.opts.Factory.New(dim); err != nil {
				return nil, fmt.Errorf("series %s: new detector: %w", f.series, err)
			}
		}
	}
	pol, err := p.opts.NewPolicy()
	if err != nil {
		return nil, fmt.Errorf("series %s: new threshold policy: %w", f.series, err)
	}
	return &series{det: det, pol: pol}, nil
}
