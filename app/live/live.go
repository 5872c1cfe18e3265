// Package live fans out change events to the open Server-Sent Events streams.
// The in-process Hub serves one instance; a PostgreSQL LISTEN/NOTIFY bus can
// implement the same Bus interface to carry events across instances.
package live

import (
	"strconv"
	"sync"
)

// Event is one change. Name is the SSE event name: "order:REF" when an order
// changed, "inquiry:ID" when an inquiry changed (status, message, owner,
// escalation), "dashboard" when the customer's list changed, and on the staff
// topic "queue" when the work queue changed. Data is a short payload (often
// empty: the page fetches the fragment it needs).
type Event struct {
	Name string
	Data string
}

// Bus publishes events to topics and lets streams subscribe to them.
type Bus interface {
	Publish(topic string, ev Event)
	Subscribe(topic string) (events <-chan Event, cancel func())
}

// Publisher is the half of a Bus that changes need: domain actions publish,
// only streams subscribe.
type Publisher interface {
	Publish(topic string, ev Event)
}

// Committer is a transaction that runs functions once it has committed (a
// store.Store inside WithTx is one).
type Committer interface {
	AfterCommit(f func())
}

// CaseChanged tells, once tx has committed, everyone who shows a customer's
// case that it changed: each name (OrderEvent, InquiryEvent) and
// "dashboard" on the customer's topic, each name and "queue" on the staff
// topic. pub may be nil (nothing listens).
func CaseChanged(tx Committer, pub Publisher, customerID int64, names ...string) {
	if pub == nil {
		return
	}
	tx.AfterCommit(func() {
		topic := CustomerTopic(customerID)
		for _, n := range names {
			pub.Publish(topic, Event{Name: n})
		}
		pub.Publish(topic, Event{Name: "dashboard"})
		for _, n := range names {
			pub.Publish(StaffTopic, Event{Name: n})
		}
		pub.Publish(StaffTopic, Event{Name: "queue"})
	})
}

// CustomerTopic is the topic of one customer's changes.
func CustomerTopic(customerID int64) string { return "customer:" + strconv.FormatInt(customerID, 10) }

// OrderEvent and InquiryEvent name the events of one order or inquiry.
func OrderEvent(ref string) string { return "order:" + ref }

// InquiryEvent names the event of one inquiry.
func InquiryEvent(id int64) string { return "inquiry:" + strconv.FormatInt(id, 10) }

// AllTopic carries changes that touch every customer's pages (a staff
// member's name or title, the business settings): caches forget everything.
const AllTopic = "*"

// StaffTopic is the topic every staff stream listens to.
const StaffTopic = "staff"

// Hub is the in-process Bus. The zero value is not usable; use NewHub.
type Hub struct {
	mu   sync.Mutex
	subs map[string]map[chan Event]struct{}
	taps []func(topic string, ev Event)
}

// Tap registers f to see every event published on any topic (the page cache
// uses it to forget pages that changed). Register taps before publishing.
func (h *Hub) Tap(f func(topic string, ev Event)) {
	h.mu.Lock()
	h.taps = append(h.taps, f)
	h.mu.Unlock()
}

// NewHub returns an empty in-process hub.
func NewHub() *Hub { return &Hub{subs: map[string]map[chan Event]struct{}{}} }

// Publish sends ev to every subscriber of topic. A subscriber that is not
// keeping up misses the event rather than slowing everyone else; its page
// catches up on the next event or reload.
func (h *Hub) Publish(topic string, ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, f := range h.taps {
		f(topic, ev)
	}
	for ch := range h.subs[topic] {
		select {
		case ch <- ev:
		default:
		}
	}
}

// Subscribe returns a channel of topic's events and the function that ends
// the subscription (call it when the stream closes).
func (h *Hub) Subscribe(topic string) (<-chan Event, func()) {
	ch := make(chan Event, 16)
	h.mu.Lock()
	if h.subs[topic] == nil {
		h.subs[topic] = map[chan Event]struct{}{}
	}
	h.subs[topic][ch] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs[topic], ch)
			if len(h.subs[topic]) == 0 {
				delete(h.subs, topic)
			}
			h.mu.Unlock()
		})
	}
}

// Subscribers counts the open subscriptions of topic (for tests and metrics).
func (h *Hub) Subscribers(topic string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[topic])
}
