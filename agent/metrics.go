package agent

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

type inputMetrics struct {
	records *prometheus.CounterVec
	errors  *prometheus.CounterVec
	alerts  *prometheus.CounterVec
	bytes   *prometheus.CounterVec
	// MQTT inputs only.
	messages, reconnects, dropped, redelivered *prometheus.CounterVec
	lag, queue                                 *prometheus.GaugeVec
	// File inputs only.
	rotations     *prometheus.CounterVec
	files, behind *prometheus.GaugeVec
}

func newInputMetrics(reg prometheus.Registerer) (*inputMetrics, error) {
	m := &inputMetrics{
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pynomaly_agent_input_records_total",
			Help: "Records read, scored and committed, by input.",
		}, []string{"input"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pynomaly_agent_input_errors_total",
			Help: "Records skipped as unusable, by input and reason.",
		}, []string{"input", "reason"}),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pynomaly_agent_alerts_total",
			Help: "Alerts raised and put in the outbox, by input.",
		}, []string{"input"}),
	}
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"input"})
	}
	gauge := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, []string{"input"})
	}
	m.messages = counter("pynomaly_agent_input_messages_total", "MQTT messages received, scored (or found unusable), committed and acknowledged, by input.")
	m.bytes = counter("pynomaly_agent_input_bytes_total", "Bytes consumed, by input: MQTT payload bytes of the messages counted in pynomaly_agent_input_messages_total, or bytes of file lines read, scored and committed.")
	m.reconnects = counter("pynomaly_agent_input_connects_total", "Connections made to the MQTT broker, the first included, by input.")
	m.dropped = counter("pynomaly_agent_input_dropped_total", "MQTT messages discarded because the input's queue was full (overflow: drop), by input.")
	m.redelivered = counter("pynomaly_agent_input_redelivered_total", "MQTT messages the broker sent again that were already committed (after a crash or a lost connection): acknowledged, not scored twice, by input.")
	m.lag = gauge("pynomaly_agent_input_lag_seconds", "Time from receiving the oldest message of the last committed batch to its commit, by input.")
	m.queue = gauge("pynomaly_agent_input_queue", "MQTT messages received and waiting to be scored, by input.")
	m.rotations = counter("pynomaly_agent_input_rotations_total", "Files of a file input found rotated (renamed or removed) or truncated while being read, by input.")
	m.files = gauge("pynomaly_agent_input_files", "Files a file input has open, rotated ones still being read included, by input.")
	m.behind = gauge("pynomaly_agent_input_behind_bytes", "Bytes written to a file input's open files and not yet read, by input (checked every second).")
	for _, c := range []prometheus.Collector{m.records, m.errors, m.alerts, m.messages, m.bytes, m.reconnects, m.dropped, m.redelivered,
		m.lag, m.queue, m.rotations, m.files, m.behind} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("agent: register metrics: %w", err)
		}
	}
	return m, nil
}

// pluginMetrics are the external detector plugins' metrics, by plugin name.
type pluginMetrics struct {
	up       *prometheus.GaugeVec
	restarts *prometheus.CounterVec
	crashes  *prometheus.CounterVec
}

func newPluginMetrics(reg prometheus.Registerer) (*pluginMetrics, error) {
	m := &pluginMetrics{
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pynomaly_agent_plugin_up",
			Help: "1 while the detector plugin's process is running and answered its handshake, else 0.",
		}, []string{"plugin"}),
		restarts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pynomaly_agent_plugin_restarts_total",
			Help: "Launches of a detector plugin after its first, successful or not: after a crash, a hang or a failed start.",
		}, []string{"plugin"}),
		crashes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pynomaly_agent_plugin_crashes_total",
			Help: "Times a running detector plugin exited, or stopped answering and was killed.",
		}, []string{"plugin"}),
	}
	for _, c := range []prometheus.Collector{m.up, m.restarts, m.crashes} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("agent: register plugin metrics: %w", err)
		}
	}
	return m, nil
}
