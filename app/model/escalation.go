package model

import (
	"strconv"
	"time"

	"github.com/uptrace/bun"
)

// Escalation states.
const (
	EscalationOpen         = "open"
	EscalationAcknowledged = "acknowledged"
	EscalationResolved     = "resolved"
)

// Escalation causes.
const (
	CauseCustomer  = "customer"   // the customer asked for a manager
	CauseStaff     = "staff"      // a staff member asked for their manager
	CauseBreach    = "breach"     // a promise the business held was missed
	CauseNotSolved = "not_solved" // the customer said the answer did not solve it
)

// Escalation is a request for a manager on an order or an inquiry. At most one
// unresolved escalation exists per subject (a unique index on Subject).
type Escalation struct {
	bun.BaseModel `bun:"table:escalations"`

	ID                 int64      `bun:"id,pk,autoincrement"`
	Subject            string     `bun:"subject,notnull"` // OrderSubject or InquirySubject
	OrderID            *int64     `bun:"order_id"`
	InquiryID          *int64     `bun:"inquiry_id"`
	CustomerID         int64      `bun:"customer_id,notnull"`
	RequestedByKind    string     `bun:"requested_by_kind,notnull"` // customer or staff
	RequestedByStaffID *int64     `bun:"requested_by_staff_id"`
	ManagerID          int64      `bun:"manager_id,notnull"`
	Reason             string     `bun:"reason,notnull"`
	State              string     `bun:"state,notnull"`
	IsOpen             bool       `bun:"is_open,notnull"` // state is not resolved
	CreatedAt          time.Time  `bun:"created_at,notnull"`
	AcknowledgedAt     *time.Time `bun:"acknowledged_at"`
	ResolvedAt         *time.Time `bun:"resolved_at"`
	Cause              string     `bun:"cause,notnull"`   // Cause… : why it was made
	Level              int        `bun:"level,notnull"`   // 1 at the owner's manager, one more per step up the chain
	Visited            string     `bun:"visited,notnull"` // ids of the managers it has been with, comma-separated
	PromiseID          *int64     `bun:"promise_id"`      // the missed promise that made it (CauseBreach)

	Manager *Staff `bun:"rel:belongs-to,join:manager_id=id"`
}

// OrderSubject is the stored subject of an escalation of the order with
// this id: "order:12". (Live events name an order by its reference instead:
// live.OrderEvent.)
func OrderSubject(orderID int64) string { return "order:" + strconv.FormatInt(orderID, 10) }

// InquirySubject is the stored subject of an escalation of the inquiry with
// this id: "inquiry:7".
func InquirySubject(inquiryID int64) string { return "inquiry:" + strconv.FormatInt(inquiryID, 10) }
