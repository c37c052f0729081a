package agent

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/mqtt"
	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/internal/lograte"
)

// alertOutput publishes alerts to a local MQTT broker as they are
// committed, so equipment on site can react while the uplink is down. It
// is best effort: alerts wait in a bounded queue while the broker is
// unreachable, and those that do not fit are counted and skipped. The
// outbox and the control plane remain the record.
type alertOutput struct {
	cfg       *config.MQTTOutput
	c         *mqtt.Client
	queue     chan []byte
	published prometheus.Counter
	dropped   prometheus.Counter
	logger    *slog.Logger
	limiter   *lograte.Limiter
}

// newAlertOutput connects to the configured broker, or returns nil when
// no alert output is configured.
func (a *Agent) newAlertOutput(ctx context.Context) (*alertOutput, error) {
	cfg := a.cfg.Alerts.MQTT
	if cfg == nil {
		return nil, nil
	}
	opts, err := connectionOptions(cfg.MQTTConnection)
	if err != nil {
		return nil, err
	}
	logger := a.logger.With("component", "alerts-mqtt")
	opts.Logger = logger
	c, err := mqtt.Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	o := &alertOutput{cfg: cfg, c: c, queue: make(chan []byte, cfg.Queue),
		logger: logger, limiter: lograte.New(10 * time.Second),
		published: prometheus.NewCounter(prometheus.CounterOpts{Name: "pynomaly_agent_alerts_local_published_total",
			Help: "Alerts published to the local MQTT alert topic (alerts.mqtt)."}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "pynomaly_agent_alerts_local_dropped_total",
			Help: "Alerts not published to the local MQTT alert topic because its queue was full (the broker unreachable)."}),
	}
	for _, m := range []prometheus.Collector{o.published, o.dropped} {
		if err := a.reg.Register(m); err != nil {
			c.Close(ctx)
			return nil, err
		}
	}
	return o, nil
}

// send queues the alert entries of a committed batch, without waiting.
func (o *alertOutput) send(entries []outbox.Entry) {
	if o == nil {
		return
	}
	for _, e := range entries {
		if e.Kind != outbox.KindAlert {
			continue
		}
		select {
		case o.queue <- e.Payload:
		default:
			o.dropped.Inc()
		}
	}
}

// run publishes queued alerts until ctx ends, each until the broker takes
// it (QoS ≥ 1) or it is sent (QoS 0).
func (o *alertOutput) run(ctx context.Context) error {
	if o == nil {
		return nil
	}
	defer func() {
		stop, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		o.c.Close(stop)
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case p := <-o.queue:
			// Retry until the broker takes it: a broker that rejects
			// the publish (not authorised, quota) is retried at most once
			// a second, with a warning at most every 10s, rather than
			// spun on.
			for ctx.Err() == nil {
				pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				err := o.c.Publish(pctx, o.cfg.Topic, p, byte(*o.cfg.QoS))
				cancel()
				if err == nil {
					o.published.Inc()
					break
				}
				if ok, n := o.limiter.Allow("publish"); ok {
					o.logger.Warn("publishing an alert to the local MQTT topic failed; retrying",
						"topic", o.cfg.Topic, "err", err, "suppressed", n)
				}
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}
	}
}
