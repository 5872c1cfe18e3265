package store

import (
	"context"
	"fmt"
	"sync"
)

// GroupMax bounds how many calls share one transaction in Group.
const GroupMax = 64

// groups holds a Store's group-commit queues, one per kind of work; every
// Store made from one Open shares it.
type groups struct {
	mu     sync.Mutex
	queues map[string]*groupQueue
}

type groupQueue struct {
	pending []*groupCall
	active  bool // a goroutine is working the queue
}

type groupCall struct {
	ctx  context.Context
	item any
	run  func(ctx context.Context, tx *Store, items []any) error
	done chan error
}

// Group runs item through run in a transaction it may share with items of
// the same kind that other goroutines submit meanwhile (group commit):
// while one transaction runs, the calls that arrive wait and go together in
// the next one, up to GroupMax. A lone call runs at once, alone. run gets
// the items in the order they came and records each one's outcome in the
// item itself; its error fails the transaction and is returned to every
// call in it (the caller then does its item alone). Inside a transaction
// already, run gets item alone in it.
//
// The transaction runs on its own goroutine with the first call's context,
// cancellation removed: a caller that gives up does not undo the others.
func (s *Store) Group(ctx context.Context, kind string, item any, run func(ctx context.Context, tx *Store, items []any) error) error {
	if s.InTx() {
		return run(ctx, s, []any{item})
	}
	call := &groupCall{ctx: ctx, item: item, run: run, done: make(chan error, 1)}
	g := s.groups
	g.mu.Lock()
	q := g.queues[kind]
	if q == nil {
		q = &groupQueue{}
		g.queues[kind] = q
	}
	q.pending = append(q.pending, call)
	if !q.active {
		q.active = true
		go s.workGroup(q)
	}
	g.mu.Unlock()
	return <-call.done
}

// workGroup runs the queue's waiting calls, GroupMax to a transaction, until
// none is left.
func (s *Store) workGroup(q *groupQueue) {
	g := s.groups
	for {
		g.mu.Lock()
		n := min(len(q.pending), GroupMax)
		if n == 0 {
			q.active = false
			g.mu.Unlock()
			return
		}
		calls := make([]*groupCall, n)
		copy(calls, q.pending)
		q.pending = append(q.pending[:0], q.pending[n:]...)
		g.mu.Unlock()

		items := make([]any, n)
		for i, c := range calls {
			items[i] = c.item
		}
		err := s.runGroup(context.WithoutCancel(calls[0].ctx), calls[0].run, items)
		for _, c := range calls {
			c.done <- err
		}
	}
}

// runGroup runs one shared transaction. A panic in it fails the calls
// instead of the process: it happens on the queue's goroutine, where no
// handler's recovery reaches.
func (s *Store) runGroup(ctx context.Context, run func(ctx context.Context, tx *Store, items []any) error, items []any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: group: panic: %v", p)
		}
	}()
	return s.WithTx(ctx, func(tx *Store) error { return run(ctx, tx, items) })
}
