package model

import (
	"time"

	"github.com/uptrace/bun"
)

// Outcomes of an incoming email.
const (
	InboundReplied   = "replied"    // added to a case as the customer's message
	InboundOpened    = "opened"     // opened an inquiry
	InboundHeld      = "held"       // held for staff to accept or reject
	InboundBounce    = "bounce"     // a delivery report: the address is marked failing
	InboundAutoReply = "auto_reply" // an automatic reply: nothing done
	InboundOwn       = "own"        // from one of Kedja's own addresses: nothing done (no loops)
	InboundIgnored   = "ignored"    // nothing to do (no text, no sender)
)

// InboundMail is one email received by IMAP or the SMTP receiver, kept by
// its Message-ID so that a message read twice (a crash after its case
// change committed but before it left the mailbox) is handled once.
type InboundMail struct {
	bun.BaseModel `bun:"table:inbound_mail"`

	ID         int64     `bun:"id,pk,autoincrement"`
	MessageID  string    `bun:"message_id,notnull"`
	FromEmail  string    `bun:"from_email,notnull"`
	Subject    string    `bun:"subject,notnull"`
	Outcome    string    `bun:"outcome,notnull"`
	Detail     string    `bun:"detail,notnull"` // why, for the log and staff
	CustomerID int64     `bun:"customer_id,nullzero"`
	InquiryID  int64     `bun:"inquiry_id,nullzero"`
	HeldID     int64     `bun:"held_id,nullzero"`
	ReceivedAt time.Time `bun:"received_at,notnull"`
}

// Held mail states.
const (
	HeldWaiting  = "held"
	HeldAccepted = "accepted"
	HeldRejected = "rejected"
)

// Reasons mail is held.
const (
	HeldForeignSender = "foreign_sender" // a reply to a case from someone other than its customer
	HeldBadToken      = "bad_token"      // sent to a reply address whose token does not match
	HeldFromStaff     = "from_staff"     // new mail to the support address from a staff address
	HeldNoCase        = "no_case"        // the case it answers is gone
)

// HeldMail is an incoming email that was not added to a case by itself:
// staff read it and accept it (it goes into the case, or opens one) or
// reject it.
type HeldMail struct {
	bun.BaseModel `bun:"table:held_mail"`

	ID          int64      `bun:"id,pk,autoincrement"`
	MessageID   string     `bun:"message_id,notnull"`
	FromEmail   string     `bun:"from_email,notnull"`
	FromName    string     `bun:"from_name,notnull"`
	Subject     string     `bun:"subject,notnull"`
	Body        string     `bun:"body,notnull"`
	Reason      string     `bun:"reason,notnull"`
	CaseKind    string     `bun:"case_kind,notnull"` // CaseInquiry, CaseOrder or "" (new mail)
	CaseID      int64      `bun:"case_id,nullzero"`
	CustomerID  int64      `bun:"customer_id,nullzero"` // the case's customer
	State       string     `bun:"state,notnull"`
	DecidedByID *int64     `bun:"decided_by_staff_id"`
	DecidedAt   *time.Time `bun:"decided_at"`
	InquiryID   int64      `bun:"inquiry_id,nullzero"` // where an accepted message went
	ReceivedAt  time.Time  `bun:"received_at,notnull"`
}

// AddressProblem marks a customer's address as failing: mail to it
// bounced. Staff see it on the customer and their cases; it is cleared when
// mail from that address arrives again.
type AddressProblem struct {
	bun.BaseModel `bun:"table:address_problems"`

	CustomerID   int64     `bun:"customer_id,pk"`
	Email        string    `bun:"email,notnull"`
	Reason       string    `bun:"reason,notnull"`
	FailingSince time.Time `bun:"failing_since,notnull"`
	LastAt       time.Time `bun:"last_at,notnull"`
	Bounces      int       `bun:"bounces,notnull"`
}
