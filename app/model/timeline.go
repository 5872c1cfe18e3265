package model

import (
	"time"

	"github.com/uptrace/bun"
)

// Actor kinds of a timeline event.
const (
	ActorCustomer = "customer"
	ActorStaff    = "staff"
	ActorSystem   = "system" // the shop's systems (API, CSV import) or Kedja itself
)

// Timeline event kinds: what an Event records. Views word each kind; nothing
// spells these strings but this list.
const (
	EventOrderPlaced            = "order_placed"     // the shop's systems created the order
	EventOrderUpdated           = "order_updated"    // details changed (staff only)
	EventStatusChanged          = "status_changed"   // an order's or inquiry's status
	EventExpectedChanged        = "expected_changed" // an order's expected delivery date
	EventHandoff                = "handoff"          // a case passed from one owner to another
	EventInquiryOpened          = "inquiry_opened"
	EventCustomerReplied        = "customer_replied" // audit of a customer message (staff only)
	EventStaffReplied           = "staff_replied"    // audit of a staff reply (staff only)
	EventNoteAdded              = "note_added"       // an internal note (staff only)
	EventEscalated              = "escalated"
	EventEscalationAcknowledged = "escalation_acknowledged"
	EventEscalationResolved     = "escalation_resolved"
	EventEscalationClimbed      = "escalation_climbed" // went one level up the management chain
	EventPromiseMade            = "promise_made"       // a staff member's own promise, with its due time
	EventPromiseKept            = "promise_kept"       // kept, or kept late (data "late_by" in seconds)
	EventPromiseMissed          = "promise_missed"     // its time passed; stays on the timeline for ever
	EventPromiseWithdrawn       = "promise_withdrawn"  // taken back, with the reason the customer reads
	EventPromiseMoved           = "promise_moved"      // a deadline moved: a new promise, with its reason
	EventFeedback               = "feedback"           // the customer's "Did this solve it?"
)

// Older names of timeline event kinds, still worded when a timeline holds
// them.
const (
	EventOrderCreated            = "order_created"             // now EventOrderPlaced
	EventExpectedDeliveryChanged = "expected_delivery_changed" // now EventExpectedChanged
	EventOwnerChanged            = "owner_changed"             // now EventHandoff
	EventReassigned              = "reassigned"                // now EventHandoff
)

// Event is one entry in an order's or inquiry's timeline. Kind names what
// happened (one of the Event… kinds above); Data holds its parameters so the
// sentence can be written in the reader's language.
type Event struct {
	bun.BaseModel `bun:"table:timeline_events"`

	ID              int64             `bun:"id,pk,autoincrement"`
	CustomerID      int64             `bun:"customer_id,notnull"`
	OrderID         *int64            `bun:"order_id"`
	InquiryID       *int64            `bun:"inquiry_id"`
	Kind            string            `bun:"kind,notnull"`
	ActorKind       string            `bun:"actor_kind,notnull"`
	ActorStaffID    *int64            `bun:"actor_staff_id"`
	ActorName       string            `bun:"actor_name,notnull"`
	Data            map[string]string `bun:"data,type:text,notnull"`
	CustomerVisible bool              `bun:"customer_visible,notnull"`
	CreatedAt       time.Time         `bun:"created_at,notnull"`
}

// Actor is who made a change: a customer, a staff member, or the shop's
// systems (API, CSV import) / Kedja itself.
type Actor struct {
	Kind    string // ActorCustomer, ActorStaff or ActorSystem
	StaffID *int64 // set for ActorStaff
	Name    string // full name, or the system's name ("API key web-shop")
	Title   string // a staff member's title
}

// Stamp sets the actor fields of a timeline event.
func (a Actor) Stamp(e *Event) *Event {
	e.ActorKind, e.ActorStaffID, e.ActorName = a.Kind, a.StaffID, a.Name
	return e
}

// CustomerActor is the actor for a customer.
func CustomerActor(c *Customer) Actor { return Actor{Kind: ActorCustomer, Name: c.Name} }

// StaffActor is the actor for a staff member.
func StaffActor(s *Staff) Actor {
	return Actor{Kind: ActorStaff, StaffID: &s.ID, Name: s.FullName, Title: s.Title}
}
