package payload_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/payload"
)

func TestParseTemplate(t *testing.T) {
	for _, tc := range []struct {
		in, filter, err string
		names           []string
	}{
		{in: "plant/+site/+device/telemetry", filter: "plant/+/+/telemetry", names: []string{"site", "device"}},
		{in: "plant/+/+_dev9/#", filter: "plant/+/+/#", names: []string{"_dev9"}},
		{in: "#", filter: "#"},
		{in: "/a//b/", filter: "/a//b/"},
		{in: "$SYS/+x", filter: "$SYS/+", names: []string{"x"}},
		{in: "", err: `topic template "": empty`},
		{in: "a/#/b", err: `level 2 "#": "#" must be the last level`},
		{in: "a/b#", err: `level 2 "b#": a wildcard must be the whole level`},
		{in: "a+b", err: `level 1 "a+b": a wildcard must be the whole level`},
		{in: "#x", err: "a wildcard must be the whole level"},
		{in: "+1x", err: `label name "1x": want letters, digits and _, not starting with a digit`},
		{in: "+a-b", err: `label name "a-b"`},
		{in: "++", err: `label name "+"`},
		{in: "+a/+a", err: `level 2 "+a": label name "a" repeated`},
		{in: "a\x00b", err: "contains a NUL character"},
		{in: "a\xffb", err: "not valid UTF-8"},
		{in: strings.Repeat("a", 65536), err: "longer than 65535 bytes"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			tpl, err := payload.ParseTemplate(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tpl.Filter() != tc.filter || strings.Join(tpl.Names(), ",") != strings.Join(tc.names, ",") {
				t.Errorf("filter %q names %q, want %q %q", tpl.Filter(), tpl.Names(), tc.filter, tc.names)
			}
		})
	}
}

func TestTemplateMatch(t *testing.T) {
	for _, tc := range []struct {
		tpl, topic string
		want       map[string]string // nil: no match
	}{
		{"plant/+site/+device/telemetry", "plant/a/pump-1/telemetry", map[string]string{"site": "a", "device": "pump-1"}},
		{"plant/+site/+device/telemetry", "plant/a/pump-1/status", nil},
		{"plant/+site/+device/telemetry", "plant/a/telemetry", nil},
		{"plant/+site/+device/telemetry", "plant/a/b/telemetry/x", nil},
		{"plant/+site/+/telemetry", "plant//x/telemetry", map[string]string{"site": ""}},
		{"plant/+site/#", "plant/a", map[string]string{"site": "a"}},
		{"plant/+site/#", "plant/a/b/c", map[string]string{"site": "a"}},
		{"plant/#", "plant", map[string]string{}},
		{"plant/#", "plantx", nil},
		{"plant/+", "plant", nil},
		{"plant/+", "plant/", map[string]string{}},
		{"#", "a/b", map[string]string{}},
		{"#", "$SYS/broker", nil},
		{"+x/broker", "$SYS/broker", nil},
		{"$SYS/+x", "$SYS/broker", map[string]string{"x": "broker"}},
		{"a/+", "a/+", nil},
		{"a/#", "a/#", nil},
		{"a", "", nil},
		{"/a", "/a", map[string]string{}},
		{"+x/a", "/a", map[string]string{"x": ""}},
	} {
		t.Run(tc.tpl+" "+tc.topic, func(t *testing.T) {
			tpl, err := payload.ParseTemplate(tc.tpl)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{"site": "static", "other": "kept"}
			before := maps.Clone(got)
			ok := tpl.Match(tc.topic, got)
			if ok != (tc.want != nil) {
				t.Fatalf("Match = %v, want %v", ok, tc.want != nil)
			}
			if !ok {
				if !maps.Equal(got, before) {
					t.Errorf("failed match changed labels to %v", got)
				}
				return
			}
			want := maps.Clone(before)
			maps.Copy(want, tc.want)
			if !maps.Equal(got, want) {
				t.Errorf("labels %v, want %v", got, want)
			}
			if tpl.Match(tc.topic, nil) != ok {
				t.Errorf("Match with nil labels disagrees")
			}
		})
	}
}
