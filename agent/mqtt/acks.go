package mqtt

import (
	"slices"
	"sync"
)

// ackQueue sends one connection's PUBACKs in the order their messages
// arrived (MQTT v5 4.6), as their results become durable, in any order.
// Messages are added by the reading goroutine as they arrive; ack marks
// one; run writes every acknowledged message at the head of the queue, in
// one write, and forgets it.
type ackQueue struct {
	mu sync.Mutex
	// pending holds the messages not yet acknowledged to the broker,
	// oldest first; pending[0] has sequence number base. The broker's
	// receive maximum bounds it.
	pending []pendingAck
	base    uint64
	// gone is set once the connection is: acks then go nowhere (the
	// broker sends the messages again on the next one).
	gone bool
	kick chan struct{}
}

type pendingAck struct {
	id    uint16
	acked bool
}

func newAckQueue() *ackQueue { return &ackQueue{kick: make(chan struct{}, 1)} }

// add queues a message with packet identifier id and returns its sequence
// number for ack.
func (q *ackQueue) add(id uint16) uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.gone {
		return 0 // its ack will go nowhere (see ack)
	}
	q.pending = append(q.pending, pendingAck{id: id})
	return q.base + uint64(len(q.pending)-1)
}

// ack marks message seq acknowledged; false when its connection is gone,
// so the ack cannot be sent.
func (q *ackQueue) ack(seq uint64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.gone {
		return false
	}
	i := seq - q.base
	if seq < q.base || i >= uint64(len(q.pending)) {
		return true // acknowledged before: Ack is idempotent
	}
	q.pending[i].acked = true
	if i == 0 {
		select {
		case q.kick <- struct{}{}:
		default: // a write is due already
		}
	}
	return true
}

// run writes PUBACKs until closed is closed or a write fails.
func (q *ackQueue) run(write func([]byte) error, closed <-chan struct{}) {
	defer func() {
		q.mu.Lock()
		q.gone, q.pending = true, nil
		q.mu.Unlock()
	}()
	var buf []byte
	for {
		select {
		case <-closed:
			return
		case <-q.kick:
		}
		if buf = q.flush(buf[:0]); len(buf) > 0 {
			if write(buf) != nil {
				return // the connection is broken; paho's reader will say so
			}
		}
	}
}

// flush appends a PUBACK for each acknowledged message at the head of the
// queue to buf, and removes them.
func (q *ackQueue) flush(buf []byte) []byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for n < len(q.pending) && q.pending[n].acked {
		// A PUBACK with reason Success and no properties may omit both:
		// remaining length 2, the packet identifier (3.4.2.1).
		id := q.pending[n].id
		buf = append(buf, 0x40, 0x02, byte(id>>8), byte(id))
		n++
	}
	// Copied down and cleared, not resliced: the array keeps nothing that
	// was flushed, and never grows past the receive maximum.
	q.pending = slices.Delete(q.pending, 0, n)
	q.base += uint64(n)
	return buf
}
