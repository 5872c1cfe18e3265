package model

import (
	"time"

	"github.com/uptrace/bun"
)

// Customer is an end customer of the business, known by email.
type Customer struct {
	bun.BaseModel `bun:"table:customers"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Email     string    `bun:"email,notnull"` // stored lower-case
	Name      string    `bun:"name,notnull"`
	Locale    string    `bun:"locale,notnull"`     // "" until known
	LocaleSet bool      `bun:"locale_set,notnull"` // chosen by the customer in the portal
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}

// CustomerFact is a label/value the business keeps once about a customer
// (a serial number, an account number), shown on every case.
type CustomerFact struct {
	bun.BaseModel `bun:"table:customer_facts"`

	ID         int64     `bun:"id,pk,autoincrement"`
	CustomerID int64     `bun:"customer_id,notnull"`
	Label      string    `bun:"label,notnull"`
	Value      string    `bun:"value,notnull"`
	UpdatedBy  string    `bun:"updated_by,notnull"` // "customer" or a staff member's full name
	UpdatedAt  time.Time `bun:"updated_at,notnull"`
}
