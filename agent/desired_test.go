package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/internal/testkit"
	"github.com/pynomaly/pynomaly/protocol"
)

// TestDesiredModelRetried: a desired state whose model cannot be fetched
// yet is reported failed and tried again, and applied once the model is
// there; the agent runs its file's pipeline meanwhile.
func TestDesiredModelRetried(t *testing.T) {
	defer func(d time.Duration) { desiredRetry = d }(desiredRetry)
	desiredRetry = 200 * time.Millisecond
	ns := testkit.StartNATSServer(t, "tok", nil)
	js := ns.JetStream()
	ctx := t.Context()
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: protocol.DesiredBucket})
	if err != nil {
		t.Fatal(err)
	}
	models, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: protocol.ModelsBucket})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	csv := filepath.Join(dir, "line.csv")
	writeFile(t, csv, "timestamp,value\n2026-01-01T00:00:00Z,1\n")
	cfgPath := filepath.Join(dir, "agent.yaml")
	writeFile(t, cfgPath, `agent: {id: edge-1, data_dir: data}
control_plane: {url: "`+ns.URL()+`", token: tok, sync_wait: 0s, heartbeat_interval: 100ms}
http: {listen: "off"}
inputs:
  - {name: line, file: {path: line.csv, follow: true}}
`)
	cfg, err := config.Load(cfgPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	log := &testkit.LockedBuffer{}
	a, err := New(cfg, "test", slog.New(slog.NewTextHandler(log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
		if t.Failed() {
			t.Logf("agent log:\n%s", log.String())
		}
	}()

	model := trainedZscore(t)
	sum := sha256.Sum256(model)
	ds := protocol.DesiredState{Models: []protocol.ModelAssignment{{Input: "line", Name: "m", Version: "1", SHA256: hex.EncodeToString(sum[:])}}}
	b, err := ds.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "edge-1", b); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, 10*time.Second, "the missing model reported", func() bool {
		s := a.desired.Status()
		return s != nil && s.Status == protocol.ConfigFailed && strings.Contains(s.Error, "model m/1") && s.RunningHash == ""
	})
	if _, err := models.PutBytes(ctx, protocol.ModelObject("m", "1"), model); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, 10*time.Second, "applied once the model is there", func() bool {
		s := a.desired.Status()
		return s != nil && s.Status == protocol.ConfigApplied && s.RunningHash == ds.Hash()
	})
	if p, ok := a.planOf(a.gen.Load().plans[0].in); !ok || p.modelRef == nil || string(p.model) != string(model) {
		t.Errorf("the input's plan has no model after the apply")
	}
}

// trainedZscore is the state of a default zscore detector after 100 samples.
func trainedZscore(t *testing.T) []byte {
	t.Helper()
	g, err := (&Agent{plugins: newSupervisor(supervisorOptions{})}).buildGeneration(&config.Config{
		Inputs: []config.Input{{Name: "x"}}, Detector: config.Detector{Type: "zscore"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, _, _ := g.plans[0].src.acquire()
	d, err := f.New(1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if _, err := d.Score([]float64{float64(i % 7)}); err != nil {
			t.Fatal(err)
		}
	}
	b, err := d.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestKeepCommit: keeping a new desired state rewrites only the models
// that changed, adds new ones, and deletes those no longer wanted.
func TestKeepCommit(t *testing.T) {
	kept := map[string][]byte{
		modelKeyPrefix + "same":    []byte("s1"),
		modelKeyPrefix + "changed": []byte("c1"),
		modelKeyPrefix + "gone":    []byte("g1"),
	}
	models := map[string][]byte{"same": []byte("s1"), "changed": []byte("c2"), "new": {}}
	c := keepCommit([]byte("ds2"), models, kept)
	want := map[string]string{desiredStateKey: "ds2", modelKeyPrefix + "changed": "c2", modelKeyPrefix + "new": ""}
	if len(c.States) != len(want) {
		t.Errorf("states written: %q, want the keys of %q", c.States, want)
	}
	for k, v := range want {
		if got, ok := c.States[k]; !ok || string(got) != v {
			t.Errorf("state %s = %q (written %v), want %q", k, got, ok, v)
		}
	}
	if !slices.Equal(c.Deletes, []string{modelKeyPrefix + "gone"}) {
		t.Errorf("deletes = %q, want only the gone model", c.Deletes)
	}

	// None wanted: the desired state and every kept model go.
	c = keepCommit(nil, nil, kept)
	slices.Sort(c.Deletes)
	if len(c.States) != 0 || !slices.Equal(c.Deletes, []string{desiredStateKey, modelKeyPrefix + "changed", modelKeyPrefix + "gone", modelKeyPrefix + "same"}) {
		t.Errorf("removing the desired state: states %q, deletes %q", c.States, c.Deletes)
	}
}
