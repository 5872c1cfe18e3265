package model

import "github.com/uptrace/bun"

// Settings is the one row of business settings.
type Settings struct {
	bun.BaseModel `bun:"table:settings"`

	ID                  int64  `bun:"id,pk"`
	BusinessName        string `bun:"business_name,notnull"`
	SupportEmail        string `bun:"support_email,notnull"`
	DefaultLocale       string `bun:"default_locale,notnull"`
	ReplyHours          int    `bun:"reply_hours,notnull"`
	LastResortManagerID *int64 `bun:"last_resort_manager_id"`
	SessionKey          string `bun:"session_key,notnull"`
	OrderConfirmation   bool   `bun:"order_confirmation,notnull"` // a new order mails the customer a confirmation
}
