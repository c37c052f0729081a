package outbox

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Commit is everything one processed batch changes, applied atomically.
type Commit struct {
	Entries []Entry
	// Input names the input whose position is checkpointed; "" skips it.
	Input string
	// Position is where the input continues after this batch.
	Position Position
	// Checkpoints are more positions to store, by key: an input reading
	// several files keeps one per file (see CheckpointsWithPrefix).
	Checkpoints map[string]Position
	// DropCheckpoints are checkpoint keys to remove.
	DropCheckpoints []string
	// States maps a caller-chosen key to the state bytes to store under it.
	States map[string][]byte
	// Deletes are state keys to remove.
	Deletes []string
}

// Commit writes c durably: when it returns nil, c is on disk, all of it
// or (on error) none of it.
//
// Commits are group-committed: while one transaction is being written and
// fsynced, the commits that arrive queue up, and the next transaction
// writes them all, so concurrent inputs share the cost of an fsync without
// any added wait. A commit that fails is retried alone, so it cannot fail
// the others of its group.
func (s *Store) Commit(c Commit) error {
	if err := s.waitForRoom(c); err != nil {
		return fmt.Errorf("outbox commit: %w", err)
	}
	p := &pending{c: c, done: make(chan error, 1)}
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return fmt.Errorf("outbox commit: %w", ErrClosed)
	}
	s.commits <- p
	s.closeMu.RUnlock()
	return <-p.done
}

// pending is a commit waiting for the committer.
type pending struct {
	c    Commit
	done chan error
}

// maxGroup bounds the commits written in one transaction, so that a
// transaction stays small enough to fsync promptly.
const maxGroup = 256

// committer writes queued commits until the queue is closed.
func (s *Store) committer() {
	defer close(s.committerDone)
	group := make([]*pending, 0, maxGroup)
	for p := range s.commits {
		group = append(group[:0], p)
	more:
		for len(group) < maxGroup {
			select {
			case q, ok := <-s.commits:
				if !ok {
					break more
				}
				group = append(group, q)
			default:
				break more
			}
		}
		s.writeGroup(group)
		// The next group overwrites only as many: drop this one's commits
		// (a batch's encoded states, say) now, not when overwritten.
		clear(group)
	}
}

// writeGroup writes group in one transaction, or, if that fails, each
// commit in its own, and reports to each committer once the counters
// include its entries.
func (s *Store) writeGroup(group []*pending) {
	errs := make([]error, len(group))
	var w written
	if err := s.writeTx(group, &w); err != nil {
		w = written{}
		for i, p := range group {
			var one written
			if err := s.writeTx([]*pending{p}, &one); err != nil {
				errs[i] = fmt.Errorf("outbox commit: %w", err)
				continue
			}
			w.add(one)
		}
	}
	s.account(w)
	if w.entries > 0 {
		select {
		case s.notify <- struct{}{}:
		default:
		}
	}
	for i, p := range group {
		p.done <- errs[i]
	}
}

// written is what transactions added and, to keep within the limits,
// dropped (droppedAged of them for their age), and the commit time of the
// oldest entry after the last of them.
type written struct {
	entries, dropped, droppedAged int
	bytes, droppedBytes           int64
	oldest                        int64
	// committed: a transaction committed, so oldest is current.
	committed bool
}

func (w *written) add(o written) {
	w.entries += o.entries
	w.dropped += o.dropped
	w.droppedAged += o.droppedAged
	w.bytes += o.bytes
	w.droppedBytes += o.droppedBytes
	if o.committed {
		w.oldest, w.committed = o.oldest, true
	}
}

// account applies what committed transactions did to the counters.
func (s *Store) account(w written) {
	s.depth.Add(int64(w.entries - w.dropped))
	s.bytes.Add(w.bytes - w.droppedBytes)
	s.dropped.Add(int64(w.dropped))
	s.droppedAged.Add(int64(w.droppedAged))
	if w.committed {
		s.oldest.Store(w.oldest)
	}
}

// writeTx applies ps in one transaction, stamps their entries with the
// time, and, under DropOldest, deletes the earlier entries the limits have
// no room for.
func (s *Store) writeTx(ps []*pending, w *written) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		*w = written{}
		first := tx.Bucket(bucketOutbox).Sequence() + 1
		for _, p := range ps {
			n, err := apply(tx, p.c)
			if err != nil {
				return err
			}
			w.entries += len(p.c.Entries)
			w.bytes += n
		}
		if w.entries > 0 {
			if err := stamp(tx, first, s.now()); err != nil {
				return err
			}
		}
		var err error
		if w.droppedAged, w.droppedBytes, err = s.dropExpired(tx, first); err != nil {
			return err
		}
		n, bytes, err := s.dropOldest(tx, s.bytes.Load()+w.bytes-w.droppedBytes, first)
		if err != nil {
			return err
		}
		w.dropped, w.droppedBytes = w.droppedAged+n, w.droppedBytes+bytes
		w.oldest, err = oldestTime(tx)
		return err
	})
	w.committed = err == nil
	return err
}

// apply writes c in tx and returns the bytes its entries take.
func apply(tx *bolt.Tx, c Commit) (int64, error) {
	ob := tx.Bucket(bucketOutbox)
	var bytes int64
	for _, e := range c.Entries {
		seq, err := ob.NextSequence()
		if err != nil {
			return 0, err
		}
		v, err := e.encode()
		if err != nil {
			return 0, err
		}
		if err := ob.Put(seqKey(seq), v); err != nil {
			return 0, err
		}
		bytes += int64(8 + len(v))
	}
	cp := tx.Bucket(bucketCheckpoints)
	if c.Input != "" {
		if err := cp.Put(inputKey(c.Input), c.Position.encode()); err != nil {
			return 0, err
		}
	}
	for k, p := range c.Checkpoints {
		if err := cp.Put(inputKey(k), p.encode()); err != nil {
			return 0, err
		}
	}
	for _, k := range c.DropCheckpoints {
		if err := cp.Delete(inputKey(k)); err != nil {
			return 0, err
		}
	}
	for k, v := range c.States {
		if err := cp.Put(stateKey(k), v); err != nil {
			return 0, err
		}
	}
	for _, k := range c.Deletes {
		if err := cp.Delete(stateKey(k)); err != nil {
			return 0, err
		}
	}
	return bytes, nil
}

// Checkpoint returns the position last committed for input; ok is false
// when there is none.
func (s *Store) Checkpoint(input string) (pos Position, ok bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketCheckpoints).Get(inputKey(input))
		if v == nil {
			return nil
		}
		pos, err = decodePosition(v)
		if err != nil {
			return fmt.Errorf("checkpoint of input %q: %w", input, err)
		}
		ok = true
		return nil
	})
	return pos, ok, err
}

// CheckpointsWithPrefix returns the positions committed under keys that
// start with prefix, by key.
func (s *Store) CheckpointsWithPrefix(prefix string) (map[string]Position, error) {
	out := make(map[string]Position)
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketCheckpoints).Cursor()
		p := inputKey(prefix)
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			key := string(k[len("input/"):])
			pos, err := decodePosition(v)
			if err != nil {
				return fmt.Errorf("checkpoint %q: %w", key, err)
			}
			out[key] = pos
		}
		return nil
	})
	return out, err
}

// State returns a copy of the state stored under key, or nil.
func (s *Store) State(key string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketCheckpoints).Get(stateKey(key)); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	return out, err
}

// StatesWithPrefix returns the committed states whose keys start with
// prefix, by key.
func (s *Store) StatesWithPrefix(prefix string) (map[string][]byte, error) {
	out := make(map[string][]byte)
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketCheckpoints).Cursor()
		p := stateKey(prefix)
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			out[string(k[len("state/"):])] = bytes.Clone(v)
		}
		return nil
	})
	return out, err
}

// Peek returns up to max of the oldest entries, oldest first. At an entry
// that cannot be decoded it stops and returns the entries before it with a
// *CorruptEntryError.
func (s *Store) Peek(max int) ([]Entry, error) {
	var out []Entry
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.First(); k != nil && len(out) < max; k, v = c.Next() {
			e, err := decodeEntry(binary.BigEndian.Uint64(k), v)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// Delete removes delivered entries.
func (s *Store) Delete(seqs []uint64) error {
	var removed, bytes, oldest int64
	err := s.db.Update(func(tx *bolt.Tx) error {
		removed, bytes = 0, 0
		ob := tx.Bucket(bucketOutbox)
		for _, seq := range seqs {
			v := ob.Get(seqKey(seq))
			if v == nil {
				continue // dropped, or deleted before
			}
			bytes += int64(8 + len(v))
			if err := ob.Delete(seqKey(seq)); err != nil {
				return err
			}
			removed++
		}
		var err error
		oldest, err = oldestTime(tx)
		return err
	})
	if err != nil {
		return fmt.Errorf("outbox delete: %w", err)
	}
	s.depth.Add(-removed)
	s.bytes.Add(-bytes)
	s.oldest.Store(oldest)
	s.freed()
	return nil
}

func seqKey(seq uint64) []byte    { return binary.BigEndian.AppendUint64(nil, seq) }
func seqOf(k []byte) uint64       { return binary.BigEndian.Uint64(k) }
func inputKey(name string) []byte { return []byte("input/" + name) }
func stateKey(key string) []byte  { return []byte("state/" + key) }
