package model

import "github.com/uptrace/bun"

// Secret names.
const (
	// SecretReplyKey signs reply addresses and thread ids (app/mailref).
	SecretReplyKey = "reply_key"
)

// Secret is key material Kedja generates once and keeps in the database,
// so every instance shares it.
type Secret struct {
	bun.BaseModel `bun:"table:secrets"`

	Name  string `bun:"name,pk"`
	Value string `bun:"value,notnull"` // base64url, no padding
}
