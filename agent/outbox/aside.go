package outbox

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketQuarantine = []byte("quarantine")
	keyOwner         = []byte("agent_id")
)

// Quarantine moves the entry seq out of the outbox into the quarantine
// bucket, where it is kept for inspection but never delivered. It is how a
// corrupt entry stops blocking the ones behind it.
func (s *Store) Quarantine(seq uint64) error {
	var moved bool
	var size, oldest int64
	err := s.db.Update(func(tx *bolt.Tx) error {
		ob := tx.Bucket(bucketOutbox)
		v := ob.Get(seqKey(seq))
		if v == nil {
			return nil
		}
		q, err := tx.CreateBucketIfNotExists(bucketQuarantine)
		if err != nil {
			return err
		}
		if err := q.Put(seqKey(seq), v); err != nil {
			return err
		}
		moved, size = true, int64(8+len(v))
		if err := ob.Delete(seqKey(seq)); err != nil {
			return err
		}
		oldest, err = oldestTime(tx)
		return err
	})
	if err != nil {
		return fmt.Errorf("quarantine outbox entry %d: %w", seq, err)
	}
	if moved {
		s.depth.Add(-1)
		s.bytes.Add(-size)
		s.oldest.Store(oldest)
		s.freed()
	}
	return nil
}

// Quarantined is the number of entries moved aside.
func (s *Store) Quarantined() (n int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		if q := tx.Bucket(bucketQuarantine); q != nil {
			n = q.Stats().KeyN
		}
		return nil
	})
	return n, err
}

// Owner returns the agent id the outbox's entries were written for, or ""
// if none was recorded yet.
func (s *Store) Owner() (string, error) {
	var id string
	err := s.db.View(func(tx *bolt.Tx) error {
		id = string(tx.Bucket(bucketMeta).Get(keyOwner))
		return nil
	})
	return id, err
}

// SetOwner records the agent id the outbox's entries are written for.
func (s *Store) SetOwner(id string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyOwner, []byte(id))
	})
}
