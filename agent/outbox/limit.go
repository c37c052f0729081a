package outbox

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FullPolicy says what a commit does when the outbox holds its byte limit.
type FullPolicy string

const (
	// DropOldest makes room by deleting the oldest undelivered entries,
	// counted in Dropped: detection goes on, the oldest results are lost.
	DropOldest FullPolicy = "drop_oldest"
	// Pause holds commits that add entries until delivery makes room:
	// nothing is lost, and the inputs stop (an MQTT input stops
	// acknowledging, so the broker keeps its messages; a file input stops
	// reading).
	Pause FullPolicy = "pause"
)

// ParseFullPolicy maps "drop_oldest" or "pause" to a FullPolicy.
func ParseFullPolicy(s string) (FullPolicy, error) {
	switch p := FullPolicy(s); p {
	case DropOldest, Pause:
		return p, nil
	}
	return "", fmt.Errorf("%q is not one of drop_oldest, pause", s)
}

// SetLimit bounds the undelivered entries: their bytes (keys and values;
// the file itself does not shrink, bbolt reuses its pages) to maxBytes,
// and their age, from their commit, to maxAge; 0 for no bound. policy
// applies at either bound. Call it before the first Commit.
func (s *Store) SetLimit(maxBytes int64, maxAge time.Duration, policy FullPolicy) {
	s.limitMu.Lock()
	s.maxBytes, s.maxAge, s.policy = maxBytes, maxAge, policy
	s.limitMu.Unlock()
}

// full reports whether the outbox is at a limit. Call it with limitMu held.
func (s *Store) full() bool {
	if s.maxBytes > 0 && s.bytes.Load() >= s.maxBytes {
		return true
	}
	oldest := s.oldest.Load()
	return s.maxAge > 0 && oldest != 0 && s.now().Sub(time.Unix(0, oldest)) >= s.maxAge
}

// Bytes is the size of the undelivered entries, keys included.
func (s *Store) Bytes() int64 { return s.bytes.Load() }

// Dropped is how many entries the DropOldest policy has deleted
// undelivered since the store was opened.
func (s *Store) Dropped() int64 { return s.dropped.Load() }

// Paused reports whether commits are being held by the Pause policy.
func (s *Store) Paused() bool { return s.paused.Load() }

// waitForRoom blocks, under the Pause policy, while the outbox is at its
// limit, until Delete makes room or the store closes.
func (s *Store) waitForRoom(c Commit) error {
	if len(c.Entries) == 0 {
		return nil // positions and states must always go through
	}
	s.limitMu.Lock()
	defer s.limitMu.Unlock()
	for s.policy == Pause && s.full() {
		if s.closing {
			return ErrClosed
		}
		s.paused.Store(true)
		s.room.Wait()
	}
	s.paused.Store(false)
	return nil
}

// freed wakes commits waiting for room.
func (s *Store) freed() {
	s.limitMu.Lock()
	s.room.Broadcast()
	s.limitMu.Unlock()
}

// dropOldest deletes the oldest entries in tx while total, the bytes of
// the entries after this transaction's writes, is above the limit, and
// returns how many it deleted and their bytes. It never deletes entries
// written in this transaction from seq on.
func (s *Store) dropOldest(tx *bolt.Tx, total int64, from uint64) (n int, bytes int64, err error) {
	s.limitMu.Lock()
	maxBytes, policy := s.maxBytes, s.policy
	s.limitMu.Unlock()
	if policy != DropOldest || maxBytes <= 0 || total <= maxBytes {
		return 0, 0, nil
	}
	c := tx.Bucket(bucketOutbox).Cursor()
	for k, v := c.First(); k != nil && total-bytes > maxBytes; k, v = c.First() {
		if seqOf(k) >= from {
			break
		}
		bytes += int64(len(k) + len(v))
		if err := c.Delete(); err != nil {
			return 0, 0, err
		}
		n++
	}
	return n, bytes, nil
}
