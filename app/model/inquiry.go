package model

import (
	"time"

	"github.com/uptrace/bun"
)

// Inquiry statuses.
const (
	InquiryOpen              = "open"
	InquiryWaitingCustomer   = "waiting_customer"
	InquiryWaitingThirdParty = "waiting_third_party"
	InquiryResolved          = "resolved"
)

// InquiryStatuses lists every inquiry status.
var InquiryStatuses = []string{InquiryOpen, InquiryWaitingCustomer, InquiryWaitingThirdParty, InquiryResolved}

// How an inquiry was opened, besides by the customer asking (Origin "").
const (
	OriginLateOrder  = "late_order"  // Kedja opened it for the customer: their order is late
	OriginNotArrived = "not_arrived" // the customer said a delivered order did not arrive
)

// ReopenWindow is how long after it is resolved a customer may reopen an
// inquiry with one click.
const ReopenWindow = 14 * 24 * time.Hour

// Inquiry is a customer's question, about an order or in general.
type Inquiry struct {
	bun.BaseModel `bun:"table:inquiries"`

	ID                 int64      `bun:"id,pk,autoincrement"`
	CustomerID         int64      `bun:"customer_id,notnull"`
	OrderID            *int64     `bun:"order_id"`
	Subject            string     `bun:"subject,notnull"`
	OwnerID            int64      `bun:"owner_id,notnull"`
	Status             string     `bun:"status,notnull"`
	IsOpen             bool       `bun:"is_open,notnull"` // status is not resolved
	ThirdPartyName     string     `bun:"third_party_name,notnull"`
	ThirdPartyExpected string     `bun:"third_party_expected,notnull"` // YYYY-MM-DD or ""
	ReplyDueAt         *time.Time `bun:"reply_due_at"`                 // set while the business owes a reply
	LastActivityAt     time.Time  `bun:"last_activity_at,notnull"`
	CreatedAt          time.Time  `bun:"created_at,notnull"`
	UpdatedAt          time.Time  `bun:"updated_at,notnull"`
	ResolvedAt         *time.Time `bun:"resolved_at"`
	Origin             string     `bun:"origin,notnull"` // Origin… : how it was opened

	Owner    *Staff    `bun:"rel:belongs-to,join:owner_id=id"`
	Customer *Customer `bun:"rel:belongs-to,join:customer_id=id"`
	Order    *Order    `bun:"rel:belongs-to,join:order_id=id"`
}

// Message author kinds.
const (
	AuthorCustomer = "customer"
	AuthorStaff    = "staff"
	AuthorSystem   = "system"
)

// Message is one entry in an inquiry's conversation.
type Message struct {
	bun.BaseModel `bun:"table:messages"`

	ID            int64     `bun:"id,pk,autoincrement"`
	InquiryID     int64     `bun:"inquiry_id,notnull"`
	AuthorKind    string    `bun:"author_kind,notnull"`
	AuthorStaffID *int64    `bun:"author_staff_id"`
	Body          string    `bun:"body,notnull"`
	Internal      bool      `bun:"internal,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`

	AuthorStaff *Staff `bun:"rel:belongs-to,join:author_staff_id=id"`
}
