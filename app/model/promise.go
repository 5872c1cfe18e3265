package model

import (
	"time"

	"github.com/uptrace/bun"
)

// Promise kinds: what the holder will do.
const (
	PromiseReply      = "reply"       // the business replies to the customer (reply-by)
	PromiseAction     = "action"      // a staff member's own promise ("send the invoice copy")
	PromiseThirdParty = "third_party" // a named third party's date ("Klarna, 4 December")
	PromiseDelivery   = "delivery"    // an order's expected delivery
	PromiseEscalation = "escalation"  // a manager answers an escalation (acknowledges it)
	PromiseCustomer   = "customer"    // waiting for the customer: no deadline, not the business's promise
)

// Who holds a promise.
const (
	HolderStaff      = "staff"
	HolderThirdParty = "third_party"
	HolderCustomer   = "customer"
)

// Promise states: how it ended, or that it is still open.
const (
	PromiseOpen      = "open"      // not yet due, or due and not yet noticed
	PromiseMissed    = "missed"    // its time passed: outstanding until kept late, or closed as missed
	PromiseKept      = "kept"      // kept on time
	PromiseKeptLate  = "kept_late" // kept after its due time
	PromiseWithdrawn = "withdrawn" // taken back before its time, with a reason the customer can read
	PromiseDone      = "done"      // a customer's turn that ended (they answered, or staff moved on)
)

// Promise is a kept record of a next step on a case: who holds it, what they
// will do, by when, who made it, and how it ended. Each open order and
// inquiry has at most one next step (IsNext); an open escalation has its own
// promise (a manager answers by the acknowledgement target) beside it. A
// missed promise stays outstanding — and on the timeline for ever — until it
// is kept late or closed.
type Promise struct {
	bun.BaseModel `bun:"table:promises"`

	ID            int64      `bun:"id,pk,autoincrement"`
	CustomerID    int64      `bun:"customer_id,notnull"`
	OrderID       *int64     `bun:"order_id"`
	InquiryID     *int64     `bun:"inquiry_id"`
	Kind          string     `bun:"kind,notnull"`
	HolderKind    string     `bun:"holder_kind,notnull"`
	HolderStaffID *int64     `bun:"holder_staff_id"`
	HolderName    string     `bun:"holder_name,notnull"` // full name, or the third party's name
	What          string     `bun:"what,notnull"`        // what the holder will do, in the words given ("" for the kind's own)
	MadeByKind    string     `bun:"made_by_kind,notnull"`
	MadeByStaffID *int64     `bun:"made_by_staff_id"`
	MadeByName    string     `bun:"made_by_name,notnull"`
	DueAt         *time.Time `bun:"due_at"`              // nil only when the customer holds it
	DueDay        string     `bun:"due_day,notnull"`     // a promise for a day (third party, delivery): YYYY-MM-DD
	State         string     `bun:"state,notnull"`       // Promise… states
	IsNext        bool       `bun:"is_next,notnull"`     // the case's current next step: open, not an escalation's
	Outstanding   bool       `bun:"outstanding,notnull"` // open, or missed and not settled
	MissedAt      *time.Time `bun:"missed_at"`
	EndedAt       *time.Time `bun:"ended_at"`
	Reason        string     `bun:"reason,notnull"` // why it was withdrawn or closed, for the customer
	EscalationID  *int64     `bun:"escalation_id"`  // the escalation a PromiseEscalation answers
	CreatedAt     time.Time  `bun:"created_at,notnull"`
}

// BusinessHeld reports whether the business (a staff member or a third
// party it deals with) holds p: only then does it have a deadline that can
// be missed.
func (p *Promise) BusinessHeld() bool { return p.HolderKind != HolderCustomer }

// LateBy is how late a promise kept late was kept (zero otherwise).
func (p *Promise) LateBy() time.Duration {
	if p.DueAt == nil || p.EndedAt == nil || !p.EndedAt.After(*p.DueAt) {
		return 0
	}
	return p.EndedAt.Sub(*p.DueAt)
}

// ClosedDay is a date the business is closed (a public holiday).
type ClosedDay struct {
	bun.BaseModel `bun:"table:closed_days"`

	Day   string `bun:"day,pk"` // YYYY-MM-DD
	Label string `bun:"label,notnull"`
}

// Feedback is a customer's answer to "Did this solve it?" after an inquiry
// was resolved: one per resolution.
type Feedback struct {
	bun.BaseModel `bun:"table:feedback"`

	ID         int64     `bun:"id,pk,autoincrement"`
	InquiryID  int64     `bun:"inquiry_id,notnull"`
	CustomerID int64     `bun:"customer_id,notnull"`
	ResolvedAt time.Time `bun:"resolved_at,notnull"` // the resolution it answers
	Solved     bool      `bun:"solved,notnull"`
	Comment    string    `bun:"comment,notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`

	Inquiry *Inquiry `bun:"rel:belongs-to,join:inquiry_id=id"`
}
