package outbox_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pynomaly/pynomaly/agent/outbox"
)

func TestCommitPeekDelete(t *testing.T) {
	s := openStore(t, "")
	if es := mustPeek(t, s, 10); len(es) != 0 {
		t.Fatalf("Peek on a new outbox = %v", es)
	}
	mustCommit(t, s, outbox.Commit{Entries: entries("a", 3)})
	mustCommit(t, s, outbox.Commit{Input: "in", Position: outbox.Position{Offset: 1}}) // no entries
	mustCommit(t, s, outbox.Commit{Entries: entries("b", 2)})

	all := mustPeek(t, s, 10)
	if got := fmt.Sprint(ids(all)); got != "[a-0 a-1 a-2 b-0 b-1]" {
		t.Fatalf("Peek = %s, want commit order", got)
	}
	if !slices.IsSortedFunc(all, func(x, y outbox.Entry) int { return int(x.Seq) - int(y.Seq) }) || all[0].Seq == 0 {
		t.Errorf("sequence numbers %v: want ascending from 1", all)
	}
	if e := all[4]; e.Kind != outbox.KindAlert || string(e.Payload) != `{"n":1}` {
		t.Errorf("entry b-1 = %+v", e)
	}
	if got := fmt.Sprint(ids(mustPeek(t, s, 2))); got != "[a-0 a-1]" {
		t.Errorf("Peek(2) = %s", got)
	}

	// Deleting out of order, twice, and an unknown seq changes Depth only
	// by what was really removed.
	del := []uint64{all[3].Seq, all[1].Seq, all[1].Seq, 9999}
	if err := s.Delete(del); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(del); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ids(mustPeek(t, s, 10))); got != "[a-0 a-2 b-1]" {
		t.Errorf("Peek after Delete = %s", got)
	}
	if got := s.Depth(); got != 3 {
		t.Errorf("Depth = %d, want 3", got)
	}
}

func TestCheckpointAndState(t *testing.T) {
	s := openStore(t, "")
	if _, ok, err := s.Checkpoint("in"); ok || err != nil {
		t.Fatalf("Checkpoint of a new input = ok %v, %v", ok, err)
	}
	if st, err := s.State("in/x"); st != nil || err != nil {
		t.Fatalf("State of a new key = %v, %v", st, err)
	}
	mustCommit(t, s, outbox.Commit{Input: "in", Position: outbox.Position{Offset: 1 << 40, Line: 12, Source: "/data/in.csv@2049:77"}, States: map[string][]byte{"in/x": []byte("one")}})
	mustCommit(t, s, outbox.Commit{Input: "other", Position: outbox.Position{Offset: 5, Line: 1}, States: map[string][]byte{"in/x": []byte("two")}})

	pos, ok, err := s.Checkpoint("in")
	if want := (outbox.Position{Offset: 1 << 40, Line: 12, Source: "/data/in.csv@2049:77"}); err != nil || !ok || pos != want {
		t.Errorf("Checkpoint(in) = %+v, %v, %v; want %+v", pos, ok, err, want)
	}
	if st, _ := s.State("in/x"); string(st) != "two" {
		t.Errorf("State(in/x) = %q, want the latest commit's", st)
	}
	// State returns a copy the caller may keep and modify.
	st, _ := s.State("in/x")
	st[0] = 'X'
	if again, _ := s.State("in/x"); string(again) != "two" {
		t.Errorf("modifying State's result changed the store: %q", again)
	}
}

func TestStatesWithPrefixAndDeletes(t *testing.T) {
	s := openStore(t, "")
	mustCommit(t, s, outbox.Commit{States: map[string][]byte{"a\x00s\x001": []byte("1"), "a\x00s\x002": []byte("2"), "a/x": []byte("x"), "b\x00s\x001": []byte("b")}})
	got, err := s.StatesWithPrefix("a\x00s\x00")
	if err != nil || len(got) != 2 || string(got["a\x00s\x001"]) != "1" || string(got["a\x00s\x002"]) != "2" {
		t.Fatalf("StatesWithPrefix = %q, %v; want the two a\\x00s\\x00 keys", got, err)
	}
	mustCommit(t, s, outbox.Commit{States: map[string][]byte{"a\x00s\x003": []byte("3")}, Deletes: []string{"a\x00s\x001", "never-there"}})
	got, _ = s.StatesWithPrefix("a\x00s\x00")
	if _, ok := got["a\x00s\x001"]; ok || len(got) != 2 {
		t.Errorf("after deleting key 1: %q", got)
	}
	if st, _ := s.State("b\x00s\x001"); string(st) != "b" {
		t.Errorf("another prefix's state = %q, want untouched", st)
	}
}

func TestCheckpointsWithPrefixAndDrops(t *testing.T) {
	s := openStore(t, "")
	one := outbox.Position{Offset: 10, Line: 2, Source: "/d/a.csv@1:7#0badf00d"}
	two := outbox.Position{Offset: 20, Line: 3, Source: "/d/b.csv@1:8"}
	mustCommit(t, s, outbox.Commit{Input: "logs", Position: outbox.Position{Offset: 1},
		Checkpoints: map[string]outbox.Position{"logs/1:7": one, "logs/1:8": two, "logs2/1:9": two}})
	got, err := s.CheckpointsWithPrefix("logs/")
	if err != nil || len(got) != 2 || got["logs/1:7"] != one || got["logs/1:8"] != two {
		t.Fatalf("CheckpointsWithPrefix(logs/) = %+v, %v; want the two logs/ files", got, err)
	}
	mustCommit(t, s, outbox.Commit{DropCheckpoints: []string{"logs/1:7", "logs", "never-there"}})
	got, _ = s.CheckpointsWithPrefix("logs")
	if len(got) != 2 || got["logs/1:8"] != two || got["logs2/1:9"] != two {
		t.Errorf("after dropping logs/1:7 and logs: %+v", got)
	}
	if _, ok, _ := s.Checkpoint("logs"); ok {
		t.Error("dropped checkpoint logs is still there")
	}
}

// TestCommitIsAtomic: a commit that fails part way leaves no entries, no
// checkpoint and no state behind, so a batch is either all there or not.
func TestCommitIsAtomic(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want string
	}{
		{"id too long", strings.Repeat("x", 256), "entry id length 256: want 1..255"},
		{"empty id", "", "entry id length 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t, "")
			mustCommit(t, s, outbox.Commit{Entries: entries("ok", 1), Input: "in", Position: outbox.Position{Offset: 10, Line: 1}, States: map[string][]byte{"k": []byte("old")}})
			<-s.Notify()
			bad := append(entries("new", 2), outbox.Entry{Kind: outbox.KindAlert, ID: tc.id})
			err := s.Commit(outbox.Commit{Entries: bad, Input: "in", Position: outbox.Position{Offset: 20, Line: 2}, States: map[string][]byte{"k": []byte("new")}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Commit = %v, want an error containing %q", err, tc.want)
			}
			if got := fmt.Sprint(ids(mustPeek(t, s, 10))); got != "[ok-0]" {
				t.Errorf("Peek after failed commit = %s", got)
			}
			if s.Depth() != 1 {
				t.Errorf("Depth = %d, want 1", s.Depth())
			}
			if pos, _, _ := s.Checkpoint("in"); pos.Offset != 10 {
				t.Errorf("checkpoint offset = %d, want 10", pos.Offset)
			}
			if st, _ := s.State("k"); string(st) != "old" {
				t.Errorf("state = %q, want old", st)
			}
			select {
			case <-s.Notify():
				t.Error("Notify fired for a failed commit")
			default:
			}
		})
	}
}

func TestNotify(t *testing.T) {
	s := openStore(t, "")
	notified := func() bool {
		select {
		case <-s.Notify():
			return true
		default:
			return false
		}
	}
	mustCommit(t, s, outbox.Commit{Input: "in", Position: outbox.Position{Offset: 3}, States: map[string][]byte{"k": {1}}})
	if notified() {
		t.Error("Notify fired for a commit without entries")
	}
	mustCommit(t, s, outbox.Commit{Entries: entries("a", 1)})
	mustCommit(t, s, outbox.Commit{Entries: entries("b", 1)})
	if !notified() {
		t.Error("Notify did not fire after a commit with entries")
	}
	if notified() {
		t.Error("Notify holds more than one pending signal")
	}
}

// BenchmarkCommit commits batches of 256 alert-sized entries with a
// checkpoint and a state, as the agent does per batch, and reports entries/s.
func BenchmarkCommit(b *testing.B) {
	s := openStore(b, "")
	payload := []byte(`{"v":1,"id":"0123456789abcdef0123456789abcdef","agent_id":"edge-1","series":"temperature{device=\"pump-1\",site=\"plant-a\"}","metric":"temperature","labels":{"device":"pump-1","site":"plant-a"},"timestamp":"2025-01-01T00:00:00Z","values":{"temperature":81.5},"score":0.99991,"threshold":0.9999,"severity":"warning","detector":"zscore","detected_at":"2025-01-01T00:00:00.123Z"}`)
	batch := make([]outbox.Entry, 256)
	state := make([]byte, 4200) // a zscore window of 256 plus decision state
	n := 0
	for b.Loop() {
		for i := range batch {
			batch[i] = outbox.Entry{Kind: outbox.KindAlert, ID: fmt.Sprintf("%032x", n), Payload: payload}
			n++
		}
		if err := s.Commit(outbox.Commit{Entries: batch, Input: "in", Position: outbox.Position{Offset: int64(n), Line: int64(n)}, States: map[string][]byte{"in/temperature": state}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "entries/s")
}
