package model

import (
	"time"

	"github.com/uptrace/bun"
)

// Outbox states.
const (
	MailPending = "pending"
	MailSending = "sending"
	MailSent    = "sent"
	MailFailed  = "failed"
)

// Outbox lanes: the worker claims mail of a higher priority first, so mail
// a person is waiting for (a sign-in link) never queues behind a backlog of
// notices.
const (
	PriorityNormal = 0
	PrioritySignIn = 10
)

// OutboxMessage is an email written in the same transaction as the change
// that causes it, and sent later by the mailer worker.
type OutboxMessage struct {
	bun.BaseModel `bun:"table:outbox"`

	ID             int64             `bun:"id,pk,autoincrement"`
	IdempotencyKey string            `bun:"idempotency_key,notnull"`
	Template       string            `bun:"template,notnull"`
	Locale         string            `bun:"locale,notnull"`
	ToEmail        string            `bun:"to_email,notnull"`
	ToName         string            `bun:"to_name,notnull"`
	Data           map[string]string `bun:"data,type:text,notnull"`
	State          string            `bun:"state,notnull"`
	Priority       int               `bun:"priority,notnull"` // PriorityNormal or PrioritySignIn
	Attempts       int               `bun:"attempts,notnull"`
	NextAttemptAt  time.Time         `bun:"next_attempt_at,notnull"`
	LeaseUntil     *time.Time        `bun:"lease_until"`
	LastError      string            `bun:"last_error,notnull"`
	CreatedAt      time.Time         `bun:"created_at,notnull"`
	SentAt         *time.Time        `bun:"sent_at"`

	// The case the mail is about, if any, and its customer: the mailer
	// gives such mail a reply address and thread ids that lead back to it.
	CustomerID int64  `bun:"customer_id,nullzero"`
	CaseKind   string `bun:"case_kind,notnull"` // CaseInquiry, CaseOrder or ""
	CaseID     int64  `bun:"case_id,nullzero"`
}

// Case kinds an outbox row can be about.
const (
	CaseInquiry = "inquiry"
	CaseOrder   = "order"
)

// About records the case (kind and id) and customer the mail is about, and
// returns m.
func (m *OutboxMessage) About(kind string, id, customerID int64) *OutboxMessage {
	m.CaseKind, m.CaseID, m.CustomerID = kind, id, customerID
	return m
}
