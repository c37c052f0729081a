package sdk

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/hashicorp/go-hclog"
)

func TestHCLogAdapter(t *testing.T) {
	var buf bytes.Buffer
	l := newHCLogger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if got := l.GetLevel(); got != hclog.Debug {
		t.Errorf("GetLevel() = %v, want debug (the handler's level)", got)
	}
	if l.IsTrace() || !l.IsDebug() {
		t.Errorf("IsTrace, IsDebug = %v, %v; want false, true", l.IsTrace(), l.IsDebug())
	}
	l.Trace("dropped")
	l.Named("spike").With("id", 7).Error("plugin process exited", "plugin", "/opt/spike", "error", "signal: killed")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("want one JSON record, got %q: %v", buf.String(), err)
	}
	want := map[string]any{
		"level": "ERROR", "msg": "plugin process exited", "logger": "spike",
		"id": 7.0, "path": "/opt/spike", "err": "signal: killed",
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %v, want %v (record %v)", k, rec[k], v, rec)
		}
	}
}
