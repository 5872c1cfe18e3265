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

// Event is one entry in an order's or inquiry's timeline. Kind names what
// happened (status_changed, handoff, escalated, …); Data holds its parameters
// so the sentence can be written in the reader's language.
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
