package model

import "github.com/uptrace/bun"

// Settings is the one row of business settings.
type Settings struct {
	bun.BaseModel `bun:"table:settings"`

	ID                  int64  `bun:"id,pk"`
	BusinessName        string `bun:"business_name,notnull"`
	SupportEmail        string `bun:"support_email,notnull"`
	DefaultLocale       string `bun:"default_locale,notnull"`
	ReplyHours          int    `bun:"reply_hours,notnull"` // a reply is owed within this many open hours
	LastResortManagerID *int64 `bun:"last_resort_manager_id"`
	SessionKey          string `bun:"session_key,notnull"`
	AckHours            int    `bun:"ack_hours,notnull"`          // an escalation is acknowledged within this many open hours
	OpenDays            string `bun:"open_days,notnull"`          // ISO weekday digits, "12345" is Monday to Friday
	OpenFrom            string `bun:"open_from,notnull"`          // "09:00"
	OpenUntil           string `bun:"open_until,notnull"`         // "17:00"; "24:00" is the end of the day
	OrderConfirmation   bool   `bun:"order_confirmation,notnull"` // a new order mails the customer a confirmation
}
