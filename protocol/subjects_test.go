package protocol_test

import (
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/protocol"
)

func TestSeriesName(t *testing.T) {
	tests := []struct {
		name   string
		metric string
		labels map[string]string
		want   string
	}{
		{"no labels", "temp", nil, "temp"},
		{"empty labels", "temp", map[string]string{}, "temp"},
		{"sorted by name", "temp", map[string]string{"site": "a", "device": "p1", "zone": "z", "area": "n"},
			`temp{area="n",device="p1",site="a",zone="z"}`},
		{"quotes and backslashes escaped", "m", map[string]string{"k": `a"b\c`}, `m{k="a\"b\\c"}`},
		{"newline escaped", "m", map[string]string{"k": "a\nb"}, `m{k="a\nb"}`},
		{"comma and brace inside value", "m", map[string]string{"a": `x",b="y`}, `m{a="x\",b=\"y"}`},
		{"empty value kept", "m", map[string]string{"k": ""}, `m{k=""}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := protocol.SeriesName(tc.metric, tc.labels); got != tc.want {
				t.Errorf("SeriesName = %s, want %s", got, tc.want)
			}
		})
	}
	// Maps built in different insertion orders name the same series.
	a := map[string]string{}
	b := map[string]string{}
	keys := strings.Fields("k1 k2 k3 k4 k5 k6 k7 k8 k9")
	for i := range keys {
		a[keys[i]] = "v"
		b[keys[len(keys)-1-i]] = "v"
	}
	for range 20 {
		if x, y := protocol.SeriesName("m", a), protocol.SeriesName("m", b); x != y {
			t.Fatalf("label order changes the series name: %s vs %s", x, y)
		}
	}
}

func TestValidateAgentID(t *testing.T) {
	tests := []struct {
		id      string
		wantErr string // "" means valid
	}{
		{"agent-1", ""},
		{"Pump_07", ""},
		{strings.Repeat("a", 128), ""},
		{"", "empty"},
		{strings.Repeat("a", 129), "longer than 128"},
		{"a.b", `character '.'`},
		{"a*", `character '*'`},
		{"a>", `character '>'`},
		{"a b", `character ' '`},
		{"a/b", `character '/'`},
		{"pompe-é", `character 'é'`},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			err := protocol.ValidateAgentID(tc.id)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("ValidateAgentID(%q) = %v, want nil", tc.id, err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("ValidateAgentID(%q) = %v, want an error containing %q", tc.id, err, tc.wantErr)
			}
		})
	}
}

func TestSanitizeAgentID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"host-1", "host-1"},
		{"host.example.com", "host-example-com"},
		{"my host", "my-host"},
		{"a>b*c", "a-b-c"},
		{"pompe-é", "pompe--"},
		{"", "agent"},
		{strings.Repeat("x", 200), strings.Repeat("x", 128)},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := protocol.SanitizeAgentID(tc.in)
			if got != tc.want {
				t.Errorf("SanitizeAgentID(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if err := protocol.ValidateAgentID(got); err != nil {
				t.Errorf("sanitized id is not valid: %v", err)
			}
		})
	}
}

func TestSubjects(t *testing.T) {
	if got := protocol.AlertSubject("a-1"); got != "pynomaly.v1.events.a-1.alert" {
		t.Errorf("AlertSubject = %q", got)
	}
	if got := protocol.HeartbeatSubject("a-1"); got != "pynomaly.v1.heartbeat.a-1" {
		t.Errorf("HeartbeatSubject = %q", got)
	}
	if s := protocol.EventsSubjects(); len(s) != 1 || !strings.HasPrefix(protocol.AlertSubject("x"), strings.TrimSuffix(s[0], ">")) {
		t.Errorf("EventsSubjects %v does not capture AlertSubject", s)
	}
}
