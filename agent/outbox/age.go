package outbox

import (
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketTimes records when entries were committed: one record per
// transaction, keyed by the sequence of its first entry, holding the
// commit time in Unix nanoseconds. An entry's time is that of the record
// with the greatest key not above its sequence. Records no entry needs
// any more are removed as entries go.
var bucketTimes = []byte("times")

// OldestAge is how long the oldest undelivered entry has waited, 0 when
// there is none.
func (s *Store) OldestAge() time.Duration {
	if t := s.oldest.Load(); t != 0 {
		return time.Since(time.Unix(0, t))
	}
	return 0
}

// DroppedAged is how many of Dropped were deleted for their age.
func (s *Store) DroppedAged() int64 { return s.droppedAged.Load() }

// Expire deletes, under DropOldest, the entries older than the age limit,
// so that a store nobody commits to does not keep them for the uplink to
// deliver late. The agent calls it periodically.
func (s *Store) Expire() error {
	var w written
	err := s.db.Update(func(tx *bolt.Tx) error {
		w = written{}
		var err error
		w.droppedAged, w.droppedBytes, err = s.dropExpired(tx, ^uint64(0))
		w.dropped = w.droppedAged
		if err == nil {
			w.oldest, err = oldestTime(tx)
		}
		return err
	})
	if err != nil {
		return err
	}
	w.committed = true
	s.account(w)
	return nil
}

// stamp records that the entries from seq first on were committed now.
func stamp(tx *bolt.Tx, first uint64, now time.Time) error {
	return tx.Bucket(bucketTimes).Put(seqKey(first), binary.BigEndian.AppendUint64(nil, uint64(now.UnixNano())))
}

// dropExpired deletes, under DropOldest with an age limit, the entries
// committed before the limit, below seq from, and returns how many and
// their bytes.
func (s *Store) dropExpired(tx *bolt.Tx, from uint64) (n int, bytes int64, err error) {
	s.limitMu.Lock()
	maxAge, policy := s.maxAge, s.policy
	s.limitMu.Unlock()
	if policy != DropOldest || maxAge <= 0 {
		return 0, 0, nil
	}
	cutoff := uint64(s.now().Add(-maxAge).UnixNano())
	times := tx.Bucket(bucketTimes).Cursor()
	ob := tx.Bucket(bucketOutbox).Cursor()
	for k, v := times.First(); k != nil && binary.BigEndian.Uint64(v) < cutoff; k, v = times.First() {
		// The record's entries end where the next record's begin.
		end := from
		if nk, _ := times.Next(); nk != nil {
			end = min(end, seqOf(nk))
		}
		for ek, ev := ob.Seek(k); ek != nil && seqOf(ek) < end; ek, ev = ob.Seek(k) {
			bytes += int64(len(ek) + len(ev))
			if err := ob.Delete(); err != nil {
				return 0, 0, err
			}
			n++
		}
		if err := tx.Bucket(bucketTimes).Delete(k); err != nil {
			return 0, 0, err
		}
		times = tx.Bucket(bucketTimes).Cursor()
		if end == from {
			break
		}
	}
	return n, bytes, nil
}

// oldestTime returns the commit time of the oldest entry (0 when there
// is none), removing the time records of entries gone.
func oldestTime(tx *bolt.Tx) (int64, error) {
	times := tx.Bucket(bucketTimes)
	first, _ := tx.Bucket(bucketOutbox).Cursor().First()
	c := times.Cursor()
	if first == nil {
		for k, _ := c.First(); k != nil; k, _ = c.First() {
			if err := c.Delete(); err != nil {
				return 0, err
			}
		}
		return 0, nil
	}
	// The record covering the first entry: the last with a key ≤ it.
	k, v := c.Seek(first)
	if k == nil || seqOf(k) > seqOf(first) {
		k, v = c.Prev()
	}
	if k == nil {
		return 0, nil // entries from before times were kept; see init
	}
	covering, t := seqOf(k), int64(binary.BigEndian.Uint64(v)) // v is invalid after a Delete
	for dk, _ := c.First(); dk != nil && seqOf(dk) < covering; dk, _ = c.First() {
		if err := c.Delete(); err != nil {
			return 0, err
		}
	}
	return t, nil
}
