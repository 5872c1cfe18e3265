package model

import (
	"time"

	"github.com/uptrace/bun"
)

// Sign-in purposes and session kinds.
const (
	KindCustomer = "customer"
	KindStaff    = "staff"
)

// LoginToken is a pending magic-link sign-in. Only hashes are stored.
type LoginToken struct {
	bun.BaseModel `bun:"table:login_tokens"`

	ID          int64      `bun:"id,pk,autoincrement"`
	TokenHash   string     `bun:"token_hash,notnull"` // hex SHA-256 of the link token
	Purpose     string     `bun:"purpose,notnull"`    // customer or staff
	SubjectID   int64      `bun:"subject_id,notnull"` // customer or staff id
	Email       string     `bun:"email,notnull"`
	CodeHMAC    string     `bun:"code_hmac,notnull"`
	CodeTries   int        `bun:"code_tries,notnull"`
	BrowserHash string     `bun:"browser_hash,notnull"` // the pending-sign-in cookie, hashed
	ReturnTo    string     `bun:"return_to,notnull"`
	ExpiresAt   time.Time  `bun:"expires_at,notnull"`
	UsedAt      *time.Time `bun:"used_at"`
	CreatedAt   time.Time  `bun:"created_at,notnull"`
}

// Session is a signed-in browser. The cookie carries the id; only its hash
// is stored.
type Session struct {
	bun.BaseModel `bun:"table:sessions"`

	IDHash     string    `bun:"id_hash,pk"`
	Kind       string    `bun:"kind,notnull"`
	SubjectID  int64     `bun:"subject_id,notnull"`
	CSRFToken  string    `bun:"csrf_token,notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
	LastSeenAt time.Time `bun:"last_seen_at,notnull"`
	ExpiresAt  time.Time `bun:"expires_at,notnull"` // absolute limit
}

// APIKey authenticates the shop's systems. Only the hash is stored.
type APIKey struct {
	bun.BaseModel `bun:"table:api_keys"`

	ID         int64      `bun:"id,pk,autoincrement"`
	Name       string     `bun:"name,notnull"`
	Prefix     string     `bun:"prefix,notnull"` // first characters, to recognise a key in lists
	KeyHash    string     `bun:"key_hash,notnull"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	LastUsedAt *time.Time `bun:"last_used_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
}
