package outbox

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

const schemaVersion = 1

var (
	bucketMeta        = []byte("meta")
	bucketOutbox      = []byte("outbox")
	bucketCheckpoints = []byte("checkpoints")
	keySchema         = []byte("schema")
)

// Store is an open outbox file. It is safe for concurrent use.
type Store struct {
	db     *bolt.DB
	depth  atomic.Int64
	notify chan struct{}
	// commits feed the committer goroutine (see Commit); closeMu keeps
	// Close from closing the queue under a sender.
	commits       chan *pending
	committerDone chan struct{}
	closeMu       sync.RWMutex
	closed        bool

	// bytes are the undelivered entries' keys and values; dropped counts
	// entries deleted undelivered by DropOldest.
	bytes, dropped, droppedAged atomic.Int64
	// oldest is the commit time of the oldest entry, Unix ns; 0: none.
	oldest atomic.Int64
	paused atomic.Bool
	now    func() time.Time
	// limitMu guards the limit, and room (on limitMu) wakes commits the
	// Pause policy holds; closing ends their wait.
	limitMu  sync.Mutex
	room     *sync.Cond
	maxBytes int64
	maxAge   time.Duration
	policy   FullPolicy
	closing  bool
}

// Open opens or creates the outbox file at path.
func Open(path string) (*Store, error) { return open(path, false) }

// open is Open, with bbolt's consistency check over every page before
// anything is written when check is set.
func open(path string, check bool) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create outbox dir: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("open outbox %s: %w (is another agent running with this data_dir?)", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open outbox %s: %w", path, err)
	}
	s := &Store{db: db, notify: make(chan struct{}, 1), commits: make(chan *pending, maxGroup), committerDone: make(chan struct{})}
	s.room = sync.NewCond(&s.limitMu)
	s.now = time.Now
	if check {
		if err := s.check(); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("open outbox %s: %w", path, err)
		}
	}
	if err := s.init(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open outbox %s: %w", path, err)
	}
	go s.committer()
	return s, nil
}

func (s *Store) init() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if v := meta.Get(keySchema); v != nil {
			if len(v) != 4 || binary.BigEndian.Uint32(v) > schemaVersion {
				return fmt.Errorf("schema %x: %w (this agent reads %d)", v, ErrSchema, schemaVersion)
			}
		} else if err := meta.Put(keySchema, binary.BigEndian.AppendUint32(nil, schemaVersion)); err != nil {
			return err
		}
		ob, err := tx.CreateBucketIfNotExists(bucketOutbox)
		if err != nil {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(bucketCheckpoints); err != nil {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(bucketTimes); err != nil {
			return err
		}
		// Entries from before commit times were recorded are taken as
		// committed now.
		if first, _ := ob.Cursor().First(); first != nil {
			if k, _ := tx.Bucket(bucketTimes).Cursor().First(); k == nil || seqOf(k) > seqOf(first) {
				if err := stamp(tx, seqOf(first), s.now()); err != nil {
					return err
				}
			}
		}
		oldest, err := oldestTime(tx)
		if err != nil {
			return err
		}
		s.oldest.Store(oldest)
		var n, bytes int64
		_ = ob.ForEach(func(k, v []byte) error {
			n, bytes = n+1, bytes+int64(len(k)+len(v))
			return nil
		})
		s.depth.Store(n)
		s.bytes.Store(bytes)
		return nil
	})
}

// Close waits for the commits under way and closes the file. Commits
// after Close fail with ErrClosed.
func (s *Store) Close() error {
	s.limitMu.Lock()
	s.closing = true
	s.room.Broadcast()
	s.limitMu.Unlock()
	s.closeMu.Lock()
	if !s.closed {
		s.closed = true
		close(s.commits)
	}
	s.closeMu.Unlock()
	<-s.committerDone
	return s.db.Close()
}

// Depth is the number of entries waiting for delivery.
func (s *Store) Depth() int64 { return s.depth.Load() }

// Notify receives a value after a commit adds entries. It has a buffer of
// one, so a reader that was busy still learns that something arrived.
func (s *Store) Notify() <-chan struct{} { return s.notify }
