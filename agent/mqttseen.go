package agent

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
)

// seenSlots is how many committed batches the redelivery check remembers.
// A message is committed, then acknowledged within mqttAckInterval; only
// the batches of that window can be redelivered after a crash or a lost
// connection, and sixteen cover it with room to spare.
const seenSlots = 16

// seenRing remembers the fingerprints of the QoS ≥ 1 messages of an MQTT
// input's last seenSlots committed batches, in memory and, committed with
// each batch, in the outbox. A message the broker sends again (DUP set)
// whose fingerprint is there was committed and not yet acknowledged when
// the agent crashed or the connection dropped: it is acknowledged and not
// scored twice. Messages without DUP are never checked, so two distinct
// messages with the same topic and payload are both scored.
type seenRing struct {
	input string
	slots [seenSlots][]uint64
	batch uint64 // number of the next batch; slot batch % seenSlots
	count map[uint64]int
}

func newSeenRing(input string) *seenRing {
	return &seenRing{input: input, count: make(map[uint64]int)}
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

// slotKey is the outbox state key of a slot. The NUL keeps it apart from
// series state keys, which are "<input>/<series>".
func (s *seenRing) slotKey(slot int) string { return fmt.Sprintf("%s\x00seen\x00%d", s.input, slot) }

// load restores the ring from the outbox's committed slots.
func (s *seenRing) load(state func(key string) ([]byte, error)) error {
	for slot := range seenSlots {
		b, err := state(s.slotKey(slot))
		if err != nil {
			return err
		}
		if len(b) < 8 || len(b)%8 != 0 {
			continue // none yet, or unreadable: nothing to remember
		}
		batch := binary.LittleEndian.Uint64(b)
		fps := make([]uint64, 0, len(b)/8-1)
		for i := 8; i < len(b); i += 8 {
			fps = append(fps, binary.LittleEndian.Uint64(b[i:]))
		}
		s.put(slot, fps)
		s.batch = max(s.batch, batch+1)
	}
	return nil
}

// next returns the key and value committing fps as the next batch's slot.
func (s *seenRing) next(fps []uint64) (string, []byte) {
	b := binary.LittleEndian.AppendUint64(make([]byte, 0, 8+8*len(fps)), s.batch)
	for _, fp := range fps {
		b = binary.LittleEndian.AppendUint64(b, fp)
	}
	return s.slotKey(int(s.batch % seenSlots)), b
}

// advance records fps as committed, in the next batch's slot.
func (s *seenRing) advance(fps []uint64) {
	s.put(int(s.batch%seenSlots), fps)
	s.batch++
}

func (s *seenRing) put(slot int, fps []uint64) {
	for _, fp := range s.slots[slot] {
		if s.count[fp]--; s.count[fp] <= 0 {
			delete(s.count, fp)
		}
	}
	s.slots[slot] = fps
	for _, fp := range fps {
		s.count[fp]++
	}
}
