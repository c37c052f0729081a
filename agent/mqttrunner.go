package agent

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/mqtt"
	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/agent/payload"
	"github.com/pynomaly/pynomaly/agent/pipeline"
	"github.com/pynomaly/pynomaly/protocol"
)

const (
	// mqttBatch bounds the messages scored and committed together.
	mqttBatch = 512
	// mqttLinger is how long a batch waits for more messages after its
	// first: one fsync per batch, not per message, at a bounded delay.
	mqttLinger = 20 * time.Millisecond
)

// mqttRunner scores one MQTT input. A message is acknowledged only after
// the batch holding its results is committed to the outbox; a message that
// cannot be parsed is counted and acknowledged with its batch.
type mqttRunner struct {
	runnerBase
	templates []*payload.Template
	parser    *payload.Parser
	// pending is a batch whose commit failed: scored again, on a new
	// pipeline, before anything newer.
	pending []*mqtt.Message
	seen    *seenRing
	// topics caches each topic's labels and their canonical key; reset
	// when it grows past maxTopics, so a flood of topics cannot grow it.
	topics map[string]topicLabels
	// base are the pipeline's own labels (pipeline.Labels), put in every
	// topic's labels so that its series share the topic's map.
	base map[string]string

	// swapMu guards next and endGen, through which swap hands a new plan
	// to the running input.
	swapMu sync.Mutex
	next   *inputPlan
	endGen context.CancelFunc
}

type topicLabels struct {
	labels map[string]string
	key    string
	ok     bool // the topic matches one of the filters
}

const maxTopics = 100_000

func (a *Agent) newMQTTRunner(in config.Input, ob *outbox.Store, pm *pipeline.Metrics) (*mqttRunner, error) {
	return a.newMQTTRunnerWith(a.newRunnerBase(in, ob, pm))
}

func (a *Agent) mqttRunnerFor(p inputPlan, ob *outbox.Store, pm *pipeline.Metrics) (*mqttRunner, error) {
	return a.newMQTTRunnerWith(a.runnerBaseFor(p, ob, pm))
}

func (a *Agent) newMQTTRunnerWith(base runnerBase) (*mqttRunner, error) {
	in, ob := base.cfg, base.ob
	r := &mqttRunner{runnerBase: base,
		seen: newSeenRing(in.Name, mqtt.ReceiveMaximum(in.MQTT.Queue)+mqttBatch)}
	if err := r.seen.load(ob.StatesWithPrefix); err != nil {
		return nil, err
	}
	var err error
	if r.templates, err = in.MQTT.Templates(); err != nil {
		return nil, err
	}
	if r.parser, err = in.MQTT.Payload.Parser(); err != nil {
		return nil, err
	}
	return r, nil
}

// connectionOptions turns a connection section into client options.
func connectionOptions(c config.MQTTConnection) (mqtt.Options, error) {
	tlsCfg, err := c.TLSConfig()
	if err != nil {
		return mqtt.Options{}, err
	}
	password, err := c.MQTTPassword()
	if err != nil {
		return mqtt.Options{}, err
	}
	return mqtt.Options{Brokers: c.Brokers, ClientID: c.ClientID, Username: c.Username, Password: password, TLS: tlsCfg,
		KeepAlive: c.KeepAlive}, nil
}

func (r *mqttRunner) options() (mqtt.Options, error) {
	m := r.cfg.MQTT
	o, err := connectionOptions(m.MQTTConnection)
	if err != nil {
		return o, err
	}
	subs := make([]mqtt.Subscription, len(m.Topics))
	for i, t := range m.Topics {
		filter := r.templates[i].Filter()
		if m.ShareGroup != "" {
			filter = "$share/" + m.ShareGroup + "/" + filter
		}
		subs[i] = mqtt.Subscription{Filter: filter, QoS: byte(*t.QoS)}
	}
	overflow := mqtt.Block
	if m.Overflow == "drop" {
		overflow = mqtt.Drop
	}
	met, name := r.a.metrics, r.cfg.Name
	o.SessionExpiry, o.Subscriptions, o.Queue, o.Overflow, o.Logger = *m.SessionExpiry, subs, m.Queue, overflow, r.logger
	o.MaxPayload = r.parser.MaxBytes()
	o.OnConnect = func() {
		met.reconnects.WithLabelValues(name).Inc()
		r.a.health.set(name, protocol.HealthOK, nil)
	}
	o.OnDisconnect = func() {
		r.a.health.set(name, protocol.HealthDegraded, errors.New("disconnected from the broker; reconnecting"))
	}
	o.OnDropped = func() { met.dropped.WithLabelValues(name).Inc() }
	return o, nil
}

// Run connects and scores messages until ctx ends. Like a file input, a
// failure (a commit, a lost detector plugin) marks the input failed and is
// retried; the connection stays up meanwhile, and unacknowledged messages
// wait at the broker.
func (r *mqttRunner) Run(ctx context.Context) error {
	opts, err := r.options()
	if err != nil {
		r.a.health.set(r.cfg.Name, protocol.HealthFailed, err)
		return fmt.Errorf("input %s: %w", r.cfg.Name, err)
	}
	r.a.health.set(r.cfg.Name, protocol.HealthDegraded, errors.New("connecting to the broker"))
	c, err := mqtt.Start(ctx, opts)
	if err != nil {
		r.a.health.set(r.cfg.Name, protocol.HealthFailed, err)
		return fmt.Errorf("input %s: %w", r.cfg.Name, err)
	}
	defer func() {
		stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c.Close(stop)
	}()
	go r.watchConnection(ctx, c)
	for ctx.Err() == nil {
		err := r.runGeneration(ctx, c)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			continue // swapped: the next generation runs the new plan
		}
		r.a.health.set(r.cfg.Name, protocol.HealthFailed, err)
		r.warn("input", "input failed; retrying its unacknowledged messages", err)
		sleep(ctx, retryOpen)
	}
	return nil
}

// watchConnection puts the broker's refusal, if any, in the input's health
// while it is not connected.
func (r *mqttRunner) watchConnection(ctx context.Context, c *mqtt.Client) {
	name := r.inputLog.name // not r.cfg, which swap replaces meanwhile
	every(ctx, time.Second, func() {
		r.a.metrics.queue.WithLabelValues(name).Set(float64(c.Len()))
		if e := c.LastError(); e != "" {
			r.a.health.set(name, protocol.HealthDegraded, errors.New(e))
		}
	})
}

// swap makes the input run plan p, whose source is the same as the
// current plan's (inputPlan.sameSource), from its next batch on: the
// connection and the messages waiting in it are kept, so no sample is
// lost to the change.
func (r *mqttRunner) swap(p inputPlan) {
	r.swapMu.Lock()
	defer r.swapMu.Unlock()
	r.next = &p
	if r.endGen != nil {
		r.endGen()
	}
}

// runGeneration runs runOnce under the current plan until ctx ends, it
// fails, or swap hands over a new plan (then it returns nil).
func (r *mqttRunner) runGeneration(ctx context.Context, c *mqtt.Client) error {
	gen, cancel := context.WithCancel(ctx)
	defer cancel()
	r.swapMu.Lock()
	if r.next != nil {
		base := r.a.runnerBaseFor(*r.next, r.ob, r.pm)
		r.plan, r.cfg, r.src, r.next = base.plan, base.cfg, base.src, nil
		r.logger.Info("input reconfigured in place", "detector", r.plan.detector.Type)
	}
	r.endGen = cancel
	r.swapMu.Unlock()
	return r.runOnce(gen, c)
}

func (r *mqttRunner) runOnce(ctx context.Context, c *mqtt.Client) error {
	if err := r.resetStates(); err != nil {
		return err
	}
	pf, err := newPipelineFactory(r.src)
	if err != nil {
		return err
	}
	defer pf.closeInstances()
	p := r.newPipeline(nil, pf) // messages bring their own fields
	if !maps.Equal(r.base, p.Labels()) {
		r.base, r.topics = p.Labels(), nil
	}
	for ctx.Err() == nil {
		msgs := r.pending
		if msgs == nil {
			msgs = collect(ctx, c.C(), mqttBatch, mqttLinger)
		}
		if len(msgs) == 0 {
			continue
		}
		r.pending = msgs
		if err := r.process(p, pf, msgs); err != nil {
			return err
		}
		r.pending = nil
	}
	return nil
}

// collect waits for a message, then takes what else arrives within linger,
// up to max.
func collect(ctx context.Context, ch <-chan *mqtt.Message, max int, linger time.Duration) []*mqtt.Message {
	var msgs []*mqtt.Message
	select {
	case <-ctx.Done():
		return nil
	case m := <-ch:
		msgs = append(msgs, m)
	}
	deadline := time.NewTimer(linger)
	defer deadline.Stop()
	for len(msgs) < max {
		select {
		case m := <-ch:
			msgs = append(msgs, m)
		case <-deadline.C:
			return msgs
		case <-ctx.Done():
			return msgs
		}
	}
	return msgs
}

// process parses, scores and commits msgs, then acknowledges them.
func (r *mqttRunner) process(p *pipeline.Pipeline, pf *pipelineFactory, msgs []*mqtt.Message) error {
	fresh, fps := r.unseen(msgs)
	recs, bad, bytes := r.records(fresh)
	res, err := p.Process(recs)
	if err == nil {
		err = pf.Lost()
	}
	if err != nil {
		return err
	}
	key, slot, evicted := r.seen.commit(fps)
	if res.States == nil {
		res.States = map[string][]byte{}
	}
	res.States[key] = slot
	if err := r.ob.Commit(outbox.Commit{Entries: res.Entries, States: res.States, Deletes: evicted}); err != nil {
		return err
	}
	r.a.alertOut.send(res.Entries)
	r.seen.advance(fps)
	for _, m := range msgs {
		m.Ack()
	}
	name, met := r.cfg.Name, r.a.metrics
	r.countBad(bad, "message")
	r.countBad(res.Bad, "sample")
	met.messages.WithLabelValues(name).Add(float64(len(msgs)))
	met.bytes.WithLabelValues(name).Add(float64(bytes))
	met.records.WithLabelValues(name).Add(float64(len(recs) - len(res.Bad)))
	met.alerts.WithLabelValues(name).Add(float64(res.Alerts))
	met.redelivered.WithLabelValues(name).Add(float64(len(msgs) - len(fresh)))
	met.lag.WithLabelValues(name).Set(time.Since(msgs[0].Received).Seconds())
	return nil
}

// unseen returns the messages not already committed (see seenRing), and
// the fingerprints of those with QoS ≥ 1, to be remembered.
func (r *mqttRunner) unseen(msgs []*mqtt.Message) (fresh []*mqtt.Message, fps []uint64) {
	fresh = msgs[:0:0]
	for _, m := range msgs {
		if m.QoS == 0 {
			fresh = append(fresh, m)
			continue
		}
		fp := fingerprint(m.Topic, m.Payload)
		if m.Duplicate && r.seen.has(fp) {
			continue
		}
		fresh, fps = append(fresh, m), append(fps, fp)
	}
	return fresh, fps
}

// records parses msgs into records, labelled from their topics; what
// cannot be used is returned as bad records, one per problem.
func (r *mqttRunner) records(msgs []*mqtt.Message) (recs []input.Record, bad []input.BadRecord, bytes int) {
	var samples []payload.Sample
	for i, m := range msgs {
		bytes += len(m.Payload) + m.Oversize
		tl := r.topicLabels(m.Topic)
		if !tl.ok {
			bad = append(bad, input.BadRecord{Line: int64(i), Reason: ReasonTopic,
				Err: fmt.Errorf("topic %q matches none of the input's filters", m.Topic)})
			continue
		}
		if m.Oversize > 0 { // read past by the connection
			bad = append(bad, badPayload(m.Topic, r.parser.Oversize(m.Oversize)))
			continue
		}
		var err error
		samples, err = r.parser.Parse(m.Payload, m.Received, samples[:0])
		if err != nil {
			bad = append(bad, badPayload(m.Topic, err))
		}
		for _, s := range samples {
			ts := s.Timestamp
			if ts.IsZero() {
				ts = m.Received.UTC()
			}
			rec := input.Record{Timestamp: ts, Fields: s.Fields, Values: s.Values, Labels: tl.labels, LabelsKey: tl.key}
			if len(s.Labels) > 0 {
				rec.Labels, rec.LabelsKey = mergeSampleLabels(tl.labels, s.Labels), ""
			}
			recs = append(recs, rec)
		}
	}
	return recs, bad, bytes
}

// ReasonTopic counts messages on a topic none of the input's filters
// match (a broker that sends more than was subscribed to).
const ReasonTopic = "unmatched_topic"

func badPayload(topic string, err error) input.BadRecord {
	var pe *payload.Error
	if errors.As(err, &pe) {
		return input.BadRecord{Reason: pe.Reason, Err: fmt.Errorf("topic %s: %w", topic, err)}
	}
	return input.BadRecord{Reason: input.ReasonMalformed, Err: fmt.Errorf("topic %s: %w", topic, err)}
}

func (r *mqttRunner) topicLabels(topic string) topicLabels {
	if tl, ok := r.topics[topic]; ok {
		return tl
	}
	if r.topics == nil || len(r.topics) >= maxTopics {
		r.topics = make(map[string]topicLabels)
	}
	var tl topicLabels
	labels := make(map[string]string, len(r.base)+2)
	for _, t := range r.templates {
		if t.Match(topic, labels) {
			maps.Copy(labels, r.base) // the pipeline's labels win, as it would merge them
			tl = topicLabels{labels: labels, key: protocol.SeriesName("", labels), ok: true}
			break
		}
	}
	r.topics[topic] = tl
	return tl
}

// mergeSampleLabels adds the payload's labels to the topic's; the topic's
// win, being what the configuration named.
func mergeSampleLabels(topic, sample map[string]string) map[string]string {
	if len(sample) == 0 {
		return topic
	}
	out := maps.Clone(sample)
	maps.Copy(out, topic)
	return out
}
