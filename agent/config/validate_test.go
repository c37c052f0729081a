package config_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/detectors"
	"github.com/pynomaly/pynomaly/protocol"
)

// TestLoadBad loads each testdata/*.bad.yaml and checks the error it must
// give. Every file is a valid config but for the one thing its name says.
func TestLoadBad(t *testing.T) {
	builtins := strings.Join(detectors.Names(), ", ")
	tests := []struct {
		file string
		want string
		// notWant, when set, must not appear.
		notWant string
	}{
		{file: "unknown_key", want: `unknown_key.bad.yaml:12: unknown key "treshold" (did you mean "threshold"?)`},
		{file: "unknown_top_key", want: `unknown_top_key.bad.yaml:11: unknown key "inputz" (did you mean "inputs"?)`},
		{file: "unknown_nested_key", want: `unknown_nested_key.bad.yaml:10: unknown key "pth" (did you mean "path"?)`},
		{file: "unknown_key_no_match", want: `unknown_key_no_match.bad.yaml:11: unknown key "agent_colour"`, notWant: "did you mean"},
		{file: "duplicate_key", want: `duplicate_key.bad.yaml:4: mapping key "id" already defined at line 2`},
		{file: "syntax_error", want: `syntax_error.bad.yaml:2: found character that cannot start any token`},
		{file: "wrong_type_param", want: "wrong_type_param.bad.yaml:13: cannot unmarshal !!seq into string"},
		{file: "wrong_type_threshold", want: "wrong_type_threshold.bad.yaml:12: cannot unmarshal !!str `high` into float64"},
		{file: "bad_agent_id", want: `agent.id: agent id "edge.1": character '.' is not allowed`},
		{file: "no_url", want: "control_plane.url: must be set"},
		{file: "token_and_file", want: "control_plane: set token or token_file, not both"},
		{file: "heartbeat_short", want: "control_plane.heartbeat_interval: 50ms is too short (at least 100ms)"},
		{file: "heartbeat_long", want: "control_plane.heartbeat_interval: 25h0m0s is too long (at most 24h)"},
		{file: "sync_wait", want: "control_plane.sync_wait: 2m0s must be between 0 and 1m"},
		{file: "no_inputs", want: "inputs: at least one input is required"},
		{file: "duplicate_input", want: `inputs[1].name: "machine" is used by another input`},
		{file: "bad_input_name", want: `inputs[0].name: name "pump 1": character ' ' is not allowed`},
		{file: "reserved_label", want: `inputs[0].labels: "input" is reserved`},
		{file: "file_bad_glob", want: `lines/[a-" is not a valid pattern: syntax error in pattern`},
		{file: "file_read_from", want: `inputs[0].file.read_from: "tail" is not one of beginning, end`},
		{file: "file_read_from_end_once", want: "inputs[0].file.read_from: end needs follow: true"},
		{file: "file_rotate_wait", want: "inputs[0].file.rotate_wait: -1s is negative"},
		{file: "file_label_glob", want: `inputs[0].labels: "file" is reserved: the series of a path pattern are labelled with their file`},
		{file: "multivariate_univariate", want: "inputs[0].multivariate: detector zscore scores one value per sample; use one that takes several (hbos, hst, iforest, pca, or an ensemble of them)"},
		{file: "outbox_on_full", want: `outbox.on_full: "block" is not one of drop_oldest, pause`},
		{file: "outbox_max_bytes", want: `outbox_max_bytes.bad.yaml:5: "lots" is not a size (a number of bytes, or with a unit: 512MiB, 1GiB, 100MB)`},
		{file: "memory_limit", want: "agent.memory_limit: 1MiB is too small (at least 16MiB, or 0 for no limit)"},
		{file: "drain_rate", want: "control_plane.drain_rate: -1 must be a finite number, 0 (no bound) or more"},
		{file: "no_input_type", want: "inputs[0]: no input type set (add a file: or an mqtt: section)"},
		{file: "no_file_path", want: "inputs[0].file.path: must be set"},
		{file: "unknown_format", want: `inputs[0].file.format: unknown input format "xml"`},
		{file: "jsonl_no_columns", want: "inputs[0].file.columns: must be set for jsonl input"},
		{file: "multi_char_separator", want: `inputs[0].file.separator: ";;" must be a single character`},
		{file: "quote_separator", want: `inputs[0].file.separator: "\"" cannot be a quote or a newline`},
		{file: "negative_rate", want: "inputs[0].file.rate: -5 must be a finite number, not negative"},
		{file: "rate_not_finite", want: "inputs[0].file.rate: +Inf must be a finite number"},
		{file: "unknown_detector", want: `detector: unknown detector "nosuch" (built in: ` + builtins + "; plugins: none configured)"},
		{file: "input_detector_unknown", want: `inputs[0].detector: unknown detector "spik" (built in: ` + builtins + "; plugins: spike)"},
		{file: "input_detector_params", want: "inputs[0].detector: detector zscore: window 4 out of range"},
		{file: "input_detector_no_type", want: "inputs[0].detector: type: must be set"},
		{file: "plugin_no_path", want: "plugins[0].path: must be set"},
		{file: "plugin_bad_name", want: `plugins[0].name: name "my.spike": character '.' is not allowed`},
		{file: "plugin_duplicate", want: `plugins[1].name: "spike" is used by another plugin`},
		{file: "plugin_builtin_name", want: `plugins[0].name: "zscore" is a built-in detector; give the plugin another name`},
		{file: "plugin_params", want: "detector: params: detector spike is a plugin: give its params under plugins[].params"},
		{file: "plugin_unknown_key", want: `plugin_unknown_key.bad.yaml:13: unknown key "pth" (did you mean "path"?)`},
		{file: "bad_param_key", want: `detector: detector zscore: unknown param "windw" (known: min_samples, window)`},
		{file: "bad_param_value", want: `detector: detector zscore: param window="big": want an integer`},
		{file: "bad_param_range", want: "detector: detector zscore: window 4 out of range"},
		{file: "threshold_range", want: "decision: threshold 1.5 out of range: must be in (0, 1]"},
		{file: "consecutive_range", want: "decision: consecutive -1 out of range: must be >= 1"},
		{file: "ensemble_one_member", want: "detector: detector ensemble: members: 1 listed, want at least 2"},
		{file: "ensemble_plugin_member", want: "detector: members[1]: plugin spike cannot be an ensemble member; members are built-in detectors"},
		{file: "members_not_ensemble", want: "detector: members: detector zscore is not an ensemble; only type ensemble takes members"},
		{file: "ensemble_member_key", want: `ensemble_member_key.bad.yaml:15: unknown key "tpye" (did you mean "type"?)`},
		{file: "ensemble_member_params", want: `detector: members[1]: detector iforest: fit_rows "1": want an integer of at least 2`},
		{file: "mqtt_no_brokers", want: "inputs[0].mqtt.brokers: at least one broker URL is required"},
		{file: "mqtt_bad_scheme", want: `inputs[0].mqtt.brokers[0]: scheme "http": want mqtt or mqtts (MQTT over WebSocket is not supported)`},
		{file: "mqtt_bad_qos", want: "inputs[0].mqtt.topics[0].qos: 3, want 0, 1 or 2"},
		{file: "mqtt_no_topics", want: "inputs[0].mqtt.topics: at least one topic filter is required"},
		{file: "mqtt_share_group", want: `inputs[0].mqtt.share_group: "a/b" cannot contain '/', '+' or '#'`},
		{file: "mqtt_overflow", want: `inputs[0].mqtt.overflow: "oldest", want block or drop`},
		{file: "mqtt_password_both", want: "inputs[0].mqtt.password: set password or password_file, not both"},
		{file: "mqtt_tls_cert_only", want: "inputs[0].mqtt.tls: cert_file and key_file go together"},
		{file: "mqtt_tls_missing_ca", want: "inputs[0].mqtt.tls: ca_file: open"},
		{file: "mqtt_bad_filter", want: "inputs[0].mqtt.topics[0].filter:"},
		{file: "mqtt_bad_format", want: "inputs[0].mqtt.payload:"},
		{file: "mqtt_json_no_fields", want: "inputs[0].mqtt.payload:"},
		{file: "mqtt_unknown_key", want: `mqtt_unknown_key.bad.yaml:11: unknown key "qso" (did you mean "qos"?)`},
		{file: "mqtt_inline_key", want: `mqtt_inline_key.bad.yaml:10: unknown key "brokrs" (did you mean "brokers"?)`},
		{file: "alerts_mqtt_wildcard", want: `alerts.mqtt.topic: "site/+/alerts" cannot contain wildcards`},
		{file: "alerts_mqtt_qos", want: "alerts.mqtt.qos: 5, want 0, 1 or 2"},
		{file: "alerts_mqtt_scheme", want: `alerts.mqtt.brokers[0]: scheme "ws": want mqtt or mqtts`},
		{file: "input_two_types", want: "inputs[0]: both file: and mqtt: set; an input has one type (make two inputs)"},
		{file: "unknown_policy", want: "decision.policy: threshold policy pot: unknown policy (known: dspot, fixed, quantile, spot)"},
		{file: "policy_threshold", want: "decision.threshold: applies to policy fixed; policy spot learns its threshold (tune it with decision.params)"},
		{file: "fixed_params", want: "decision.params: policy fixed takes no params; set decision.threshold"},
		{file: "policy_param_key", want: `decision.policy: threshold policy spot: unknown param "rsk" (known: init, level, risk)`},
		{file: "policy_param_range", want: "decision.policy: threshold policy spot: risk 0.5"},
		{file: "bad_severity", want: `decision.severity: "urgent" is not one of info, warning, critical`},
		{file: "bad_log_level", want: `log.level: "verbose" is not one of debug, info, warn, error`},
		{file: "bad_log_format", want: `log.format: "xml" is not one of auto, text, json`},
	}
	tested := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file+".bad.yaml")
			tested[path] = true
			cfg, err := config.Load(path, nil)
			if err == nil {
				t.Fatalf("Load(%s) = %+v, want an error", path, cfg)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load(%s) error:\n%v\nwant it to contain:\n%s", path, err, tc.want)
			}
			if tc.notWant != "" && strings.Contains(err.Error(), tc.notWant) {
				t.Errorf("Load(%s) error %q contains %q", path, err, tc.notWant)
			}
		})
	}
	files, err := filepath.Glob("testdata/*.bad.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !tested[f] {
			t.Errorf("%s has no entry in the table", f)
		}
	}
}

// TestLoadShippedExamples keeps the example configs loadable: the demo's
// as it is, the packaged one once the agent is enrolled (before, it says
// to enroll).
func TestLoadShippedExamples(t *testing.T) {
	if _, err := config.Load("../../examples/demo/agent.yaml", nil); err != nil {
		t.Errorf("Load(demo): %v", err)
	}
	const packaged = "../../packaging/agent.yaml"
	missing := "PYNOMALY_CONTROL_PLANE_CREDENTIALS_FILE=" + filepath.Join(t.TempDir(), "credentials.json")
	if _, err := config.Load(packaged, []string{missing}); err == nil || !strings.Contains(err.Error(), "pynomaly-agent enroll") {
		t.Errorf("Load(packaged) before enrolling: %v, want an error saying to enroll", err)
	}
	cred := filepath.Join(t.TempDir(), "credentials.json")
	c := &config.Credentials{EnrollResponse: protocol.EnrollResponse{AgentCredentials: protocol.AgentCredentials{AgentID: "gw-1", Secret: "pna_x"},
		NATSURLs: []string{"nats://cp:4222", "nats://cp2:4222"}}}
	if err := config.WriteCredentials(cred, c); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(packaged, []string{"PYNOMALY_CONTROL_PLANE_CREDENTIALS_FILE=" + cred})
	if err != nil {
		t.Fatalf("Load(packaged) enrolled: %v", err)
	}
	if cfg.Agent.ID != "gw-1" || cfg.ControlPlane.URL != "nats://cp:4222,nats://cp2:4222" {
		t.Errorf("enrolled packaged config: id %q, url %q", cfg.Agent.ID, cfg.ControlPlane.URL)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.yaml")
	_, err := config.Load(path, nil)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Load(missing) = %v, want an error naming %s", err, path)
	}
}
