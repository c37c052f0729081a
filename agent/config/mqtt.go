package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/agent/payload"
)

// MQTTConnection says how to reach an MQTT v5 broker.
type MQTTConnection struct {
	// Brokers are tried in turn: mqtt://host[:1883], mqtts://host[:8883].
	Brokers []string `yaml:"brokers"`
	// ClientID identifies the session at the broker; default
	// pynomaly-<agent id>-<input name> (pynomaly-<agent id>-alerts for
	// the alert output). Two agents must not share one.
	ClientID string `yaml:"client_id"`
	Username string `yaml:"username"`
	// Password, or PasswordFile to read it from (not both).
	Password     string        `yaml:"password"`
	PasswordFile string        `yaml:"password_file"`
	TLS          *MQTTTLS      `yaml:"tls,omitempty"`
	KeepAlive    time.Duration `yaml:"keep_alive"`
}

// Alerts says where alerts go besides the control plane.
type Alerts struct {
	// MQTT publishes every alert as it is raised to a local broker, so
	// equipment on site can react even while the uplink is down. Best
	// effort: the control plane remains the durable record.
	MQTT *MQTTOutput `yaml:"mqtt,omitempty"`
}

// MQTTOutput publishes alerts to an MQTT broker.
type MQTTOutput struct {
	MQTTConnection `yaml:",inline"`
	// Topic to publish to; default pynomaly/alerts/<agent id>.
	Topic string `yaml:"topic"`
	// QoS 0, 1 (default) or 2.
	QoS *int `yaml:"qos"`
	// Queue holds alerts while the broker is unreachable; default 1000.
	// When it is full, new alerts are not published locally, and counted.
	Queue int `yaml:"queue"`
}

func (o *MQTTOutput) validate(key, agentID string) []error {
	if o.ClientID == "" {
		o.ClientID = "pynomaly-" + agentID + "-alerts"
	}
	errs := o.MQTTConnection.validate(key)
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(key+"."+format, args...)) }
	if o.Topic == "" {
		o.Topic = "pynomaly/alerts/" + agentID
	}
	if strings.ContainsAny(o.Topic, "+#") {
		add("topic: %q cannot contain wildcards", o.Topic)
	}
	if o.QoS == nil {
		q := DefaultMQTTQoS
		o.QoS = &q
	}
	if *o.QoS < 0 || *o.QoS > 2 {
		add("qos: %d, want 0, 1 or 2", *o.QoS)
	}
	if o.Queue == 0 {
		o.Queue = 1000
	}
	if o.Queue < 1 {
		add("queue: %d, want at least 1", o.Queue)
	}
	return errs
}

// MQTTInput subscribes to an MQTT v5 broker.
type MQTTInput struct {
	MQTTConnection `yaml:",inline"`
	// SessionExpiry keeps the session (subscriptions, unacknowledged QoS
	// ≥ 1 messages) at the broker this long after a disconnect, so a
	// restarted agent gets what it missed; default 1h; 0 ends it with the
	// connection.
	SessionExpiry *time.Duration `yaml:"session_expiry"`
	// Topics to subscribe to; a filter's "+name" levels become labels.
	Topics []MQTTTopic `yaml:"topics"`
	// ShareGroup subscribes as $share/<group>/<filter>, so agents in the
	// group split the messages between them.
	ShareGroup string      `yaml:"share_group"`
	Payload    MQTTPayload `yaml:"payload"`
	// Queue bounds the messages received and not yet scored; default 1000.
	// It is also the receive maximum announced to the broker. A bigger
	// queue absorbs longer stalls of scoring but holds more memory in a
	// burst (each message queued or in flight: its payload and about
	// 200 bytes).
	Queue int `yaml:"queue"`
	// Overflow: block (default: stop reading, the broker holds the rest)
	// or drop (count and discard what does not fit).
	Overflow string `yaml:"overflow"`
}

// MQTTTLS configures TLS to the broker.
type MQTTTLS struct {
	CAFile             string `yaml:"ca_file"`
	CertFile           string `yaml:"cert_file"`
	KeyFile            string `yaml:"key_file"`
	ServerName         string `yaml:"server_name"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
}

// MQTTTopic is one subscription.
type MQTTTopic struct {
	// Filter, e.g. plant/+site/+device/telemetry: "+" and "#" as in MQTT,
	// and "+name" captures that level as label name.
	Filter string `yaml:"filter"`
	// QoS 0, 1 (default) or 2. At 1 and 2 a message is acknowledged only
	// once its result is in the outbox.
	QoS *int `yaml:"qos"`
}

// MQTTPayload says how to read a message.
type MQTTPayload struct {
	// Format: json (default), number, csv, influx, senml.
	Format string `yaml:"format"`
	// Timestamp: json, the path of the timestamp ("ts", "meta.time");
	// csv, the timestamp column's name. Default: none, the receive time.
	Timestamp string `yaml:"timestamp"`
	// Fields: json, the values, each a path and optionally a name.
	Fields []MQTTField `yaml:"fields"`
	// Columns: csv, the column names in order.
	Columns   []string `yaml:"columns"`
	Separator string   `yaml:"separator"`
	// Field: number, the value's name; default "value".
	Field string `yaml:"field"`
	// Precision: influx timestamps, ns (default), us, ms or s.
	Precision string `yaml:"precision"`
	// MaxBytes refuses larger messages; default 1 MiB.
	MaxBytes int `yaml:"max_bytes"`
}

// MQTTField is a JSON value: where it is and what to call it.
type MQTTField struct {
	Path string `yaml:"path"`
	Name string `yaml:"name"` // default: the path
}

// Defaults of an MQTT input.
const (
	DefaultMQTTSessionExpiry = time.Hour
	DefaultMQTTKeepAlive     = 30 * time.Second
	DefaultMQTTQueue         = 1000
	DefaultMQTTQoS           = 1
)

func (m *MQTTInput) validate(key string) []error {
	errs := m.MQTTConnection.validate(key)
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(key+"."+format, args...)) }
	if m.SessionExpiry == nil {
		d := DefaultMQTTSessionExpiry
		m.SessionExpiry = &d
	}
	if *m.SessionExpiry < 0 || *m.SessionExpiry > (1<<32-1)*time.Second {
		add("session_expiry: %s out of range: 0 to 136 years", *m.SessionExpiry)
	}
	if len(m.Topics) == 0 {
		add("topics: at least one topic filter is required")
	}
	for i := range m.Topics {
		t := &m.Topics[i]
		if t.Filter == "" {
			add("topics[%d].filter: must be set", i)
		}
		if t.QoS == nil {
			q := DefaultMQTTQoS
			t.QoS = &q
		}
		if *t.QoS < 0 || *t.QoS > 2 {
			add("topics[%d].qos: %d, want 0, 1 or 2", i, *t.QoS)
		}
	}
	if strings.ContainsAny(m.ShareGroup, "/+#") {
		add("share_group: %q cannot contain '/', '+' or '#'", m.ShareGroup)
	}
	if m.Queue == 0 {
		m.Queue = DefaultMQTTQueue
	}
	if m.Queue < 1 {
		add("queue: %d, want at least 1", m.Queue)
	}
	switch m.Overflow {
	case "":
		m.Overflow = "block"
	case "block", "drop":
	default:
		add("overflow: %q, want block or drop", m.Overflow)
	}
	if m.Payload.Format == "" {
		m.Payload.Format = string(payload.FormatJSON)
	}
	if _, err := m.Payload.Parser(); err != nil {
		add("payload: %v", err)
	}
	if _, err := m.Templates(); err != nil {
		errs = append(errs, fmt.Errorf("%s.%w", key, err))
	}
	return errs
}

// validate checks the connection settings and fills their defaults.
func (m *MQTTConnection) validate(key string) []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(key+"."+format, args...)) }
	if len(m.Brokers) == 0 {
		add("brokers: at least one broker URL is required (e.g. mqtt://127.0.0.1:1883)")
	}
	for i, b := range m.Brokers {
		scheme, _, ok := strings.Cut(b, "://")
		switch {
		case !ok:
			add("brokers[%d]: %q is not a URL (e.g. mqtt://broker:1883)", i, b)
		case !strings.Contains(" mqtt tcp mqtts ssl tls ", " "+strings.ToLower(scheme)+" "):
			add("brokers[%d]: scheme %q: want mqtt or mqtts (MQTT over WebSocket is not supported)", i, scheme)
		}
	}
	if m.Password != "" && m.PasswordFile != "" {
		add("password: set password or password_file, not both")
	}
	if m.KeepAlive == 0 {
		m.KeepAlive = DefaultMQTTKeepAlive
	}
	if m.KeepAlive < time.Second || m.KeepAlive > 65535*time.Second {
		add("keep_alive: %s out of range: 1s to 18h12m15s", m.KeepAlive)
	}
	if _, err := m.TLSConfig(); err != nil {
		add("tls: %v", err)
	}
	return errs
}

// Templates parses the topic filters, whose "+name" levels name labels.
func (m *MQTTInput) Templates() ([]*payload.Template, error) {
	out := make([]*payload.Template, len(m.Topics))
	for i, t := range m.Topics {
		tpl, err := payload.ParseTemplate(t.Filter)
		if err != nil {
			return nil, fmt.Errorf("topics[%d].filter: %w", i, err)
		}
		out[i] = tpl
	}
	return out, nil
}

// Parser builds the parser of the payload section.
func (p MQTTPayload) Parser() (*payload.Parser, error) {
	o := payload.Options{Format: payload.Format(p.Format), Columns: p.Columns, TimestampColumn: -1,
		Field: p.Field, TimestampPrecision: p.Precision, MaxBytes: p.MaxBytes}
	if p.Separator != "" {
		o.Separator = []rune(p.Separator)[0]
	}
	switch o.Format {
	case payload.FormatJSON:
		o.TimestampPath = p.Timestamp
		for _, f := range p.Fields {
			o.Fields = append(o.Fields, payload.Field{Name: f.Name, Path: f.Path})
		}
	case payload.FormatCSV:
		if p.Timestamp != "" {
			i := slices.Index(p.Columns, p.Timestamp)
			if i < 0 {
				return nil, fmt.Errorf("timestamp: %q is not one of columns", p.Timestamp)
			}
			o.TimestampColumn = i
		}
	}
	return payload.NewParser(o)
}

// resolvePaths makes the connection's file paths absolute with abs.
func (m *MQTTConnection) resolvePaths(abs func(*string)) {
	abs(&m.PasswordFile)
	if m.TLS != nil {
		abs(&m.TLS.CAFile)
		abs(&m.TLS.CertFile)
		abs(&m.TLS.KeyFile)
	}
}

// TLSConfig builds the TLS configuration, nil when the section is absent.
func (m *MQTTConnection) TLSConfig() (*tls.Config, error) {
	t := m.TLS
	if t == nil {
		return nil, nil
	}
	cfg := &tls.Config{ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s: no PEM certificate in it", t.CAFile)
		}
	}
	switch {
	case t.CertFile != "" && t.KeyFile != "":
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("cert_file/key_file: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	case t.CertFile != "" || t.KeyFile != "":
		return nil, errors.New("cert_file and key_file go together")
	}
	return cfg, nil
}

// MQTTPassword returns the password, read from PasswordFile if set.
func (m *MQTTConnection) MQTTPassword() (string, error) {
	if m.PasswordFile == "" {
		return m.Password, nil
	}
	b, err := os.ReadFile(m.PasswordFile)
	if err != nil {
		return "", fmt.Errorf("password_file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
