package model

import (
	"time"

	"github.com/uptrace/bun"
)

// Order statuses, as in CONTRACT.md.
const (
	OrderReceived       = "received"
	OrderConfirmed      = "confirmed"
	OrderProcessing     = "processing"
	OrderShipped        = "shipped"
	OrderOutForDelivery = "out_for_delivery"
	OrderDelivered      = "delivered"
	OrderCancelled      = "cancelled"
	OrderReturned       = "returned"
)

// OrderStatuses lists the statuses in their natural order.
var OrderStatuses = []string{OrderReceived, OrderConfirmed, OrderProcessing, OrderShipped,
	OrderOutForDelivery, OrderDelivered, OrderCancelled, OrderReturned}

// OrderOpenStatuses are the statuses of an order still on its way; an order
// in one of them counts toward its owner's load.
var OrderOpenStatuses = []string{OrderReceived, OrderConfirmed, OrderProcessing, OrderShipped, OrderOutForDelivery}

// ValidOrderStatus reports whether s is one of CONTRACT's statuses.
func ValidOrderStatus(s string) bool {
	for _, v := range OrderStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// OrderIsOpen reports whether an order in status s is still on its way.
func OrderIsOpen(s string) bool {
	for _, v := range OrderOpenStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// Item is one line of an order.
type Item struct {
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
}

// Order is a shop's order, known by the shop's own reference.
type Order struct {
	bun.BaseModel `bun:"table:orders"`

	ID                  int64      `bun:"id,pk,autoincrement"`
	Ref                 string     `bun:"ref,notnull"`
	CustomerID          int64      `bun:"customer_id,notnull"`
	OwnerID             int64      `bun:"owner_id,notnull"`
	Status              string     `bun:"status,notnull"`
	IsOpen              bool       `bun:"is_open,notnull"` // status is one of OrderOpenStatuses
	PlacedAt            *time.Time `bun:"placed_at"`
	ExpectedDelivery    string     `bun:"expected_delivery,notnull"` // YYYY-MM-DD or ""
	DeliveredAt         *time.Time `bun:"delivered_at"`
	DeliveryConfirmedBy string     `bun:"delivery_confirmed_by,notnull"` // full name of the staff member, or the shop system
	Items               []Item     `bun:"items,type:text,notnull"`
	Total               string     `bun:"total,notnull"` // exact decimal, e.g. "499.00"
	Currency            string     `bun:"currency,notnull"`
	Carrier             string     `bun:"carrier,notnull"`
	TrackingNumber      string     `bun:"tracking_number,notnull"`
	TrackingURL         string     `bun:"tracking_url,notnull"`
	RecipientName       string     `bun:"recipient_name,notnull"`
	Locale              string     `bun:"locale,notnull"`       // from the order data
	PayloadHash         string     `bun:"payload_hash,notnull"` // of the last accepted API/CSV body
	LastActivityAt      time.Time  `bun:"last_activity_at,notnull"`
	CreatedAt           time.Time  `bun:"created_at,notnull"`
	UpdatedAt           time.Time  `bun:"updated_at,notnull"`
	LateInquiryID       *int64     `bun:"late_inquiry_id"` // the inquiry Kedja opened when it was first late: once per order

	Owner    *Staff    `bun:"rel:belongs-to,join:owner_id=id"`
	Customer *Customer `bun:"rel:belongs-to,join:customer_id=id"`
}
