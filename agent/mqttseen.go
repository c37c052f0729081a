package agent

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
)

// seenRing remembers the fingerprints of an MQTT input's most recently
// committed QoS ≥ 1 messages, in memory and, one slot per committed batch,
// in the outbox. A message the broker sends again (DUP set) whose
// fingerprint is there was committed and not yet acknowledged when the
// agent crashed or the connection dropped: it is acknowledged and not
// scored twice. Messages without DUP are never checked, so two distinct
// messages with the same topic and payload are both scored.
//
// The broker has at most the client's receive maximum of messages unacknowledged,
// so remembering that many committed messages, and a batch more, covers
// everything it can send again.
type seenRing struct {
	input string
	// keep is how many fingerprints to remember at least.
	keep  int
	slots []seenSlot // oldest first
	total int
	batch uint64 // number of the next batch
	count map[uint64]int
}

type seenSlot struct {
	batch uint64
	fps   []uint64
}

func newSeenRing(input string, keep int) *seenRing {
	return &seenRing{input: input, keep: keep, count: make(map[uint64]int)}
}

// fingerprint identifies a message by its topic and payload.
func fingerprint(topic string, payload []byte) uint64 {
	h := fnv.New64a()
	h.Write([]byte(topic))
	h.Write([]byte{0})
	h.Write(payload)
	return h.Sum64()
}

func (s *seenRing) has(fp uint64) bool { return s.count[fp] > 0 }

// prefix starts every slot's outbox state key. The NUL keeps it apart from
// series state keys, which are "<input>/<series>".
func (s *seenRing) prefix() string { return s.input + "\x00seen\x00" }

func (s *seenRing) key(batch uint64) string { return s.prefix() + strconv.FormatUint(batch, 10) }

// load restores the ring from the committed slots; states returns the
// outbox states under a prefix.
func (s *seenRing) load(states func(prefix string) (map[string][]byte, error)) error {
	saved, err := states(s.prefix())
	if err != nil {
		return fmt.Errorf("load the last committed messages: %w", err)
	}
	var slots []seenSlot
	for k, v := range saved {
		batch, err := strconv.ParseUint(strings.TrimPrefix(k, s.prefix()), 10, 64)
		if err != nil || len(v)%8 != 0 {
			continue // not ours, or unreadable: nothing to remember
		}
		fps := make([]uint64, len(v)/8)
		for i := range fps {
			fps[i] = binary.LittleEndian.Uint64(v[8*i:])
		}
		slots = append(slots, seenSlot{batch, fps})
	}
	slices.SortFunc(slots, func(a, b seenSlot) int { return cmp.Compare(a.batch, b.batch) })
	for _, sl := range slots {
		s.push(sl)
		s.batch = sl.batch + 1
	}
	return nil
}

// commit returns the state to commit with the next batch, whose
// messages' fingerprints are fps, and the keys of the slots it evicts.
// Call advance once the commit succeeded.
func (s *seenRing) commit(fps []uint64) (key string, value []byte, deletes []string) {
	value = make([]byte, 0, 8*len(fps))
	for _, fp := range fps {
		value = binary.LittleEndian.AppendUint64(value, fp)
	}
	for _, sl := range s.evictable(len(fps)) {
		deletes = append(deletes, s.key(sl.batch))
	}
	return s.key(s.batch), value, deletes
}

// evictable returns the oldest slots that fall out once n more
// fingerprints are remembered.
func (s *seenRing) evictable(n int) []seenSlot {
	total, i := s.total+n, 0
	for i < len(s.slots) && total-len(s.slots[i].fps) >= s.keep {
		total -= len(s.slots[i].fps)
		i++
	}
	return s.slots[:i]
}

// advance records fps as committed, evicting what commit said.
func (s *seenRing) advance(fps []uint64) {
	n := len(s.evictable(len(fps)))
	for _, sl := range s.slots[:n] {
		s.forget(sl)
	}
	s.slots = s.slots[n:]
	s.push(seenSlot{s.batch, fps})
	s.batch++
}

func (s *seenRing) push(sl seenSlot) {
	s.slots = append(s.slots, sl)
	s.total += len(sl.fps)
	for _, fp := range sl.fps {
		s.count[fp]++
	}
}

func (s *seenRing) forget(sl seenSlot) {
	s.total -= len(sl.fps)
	for _, fp := range sl.fps {
		if s.count[fp]--; s.count[fp] <= 0 {
			delete(s.count, fp)
		}
	}
}
