package model

import (
	"time"

	"github.com/uptrace/bun"
)

// Mail alert kinds: one standing alert each.
const (
	AlertOutgoing    = "outgoing"     // the SMTP relay refuses Kedja's mail for a reason of configuration
	AlertIMAP        = "imap"         // the IMAP mailbox cannot be read
	AlertInboundSMTP = "inbound_smtp" // the built-in SMTP receiver cannot listen
)

// MailAlert is a standing problem with mail transport that only a person can
// fix (a relay that offers no TLS, a wrong password, relaying refused), kept
// so the admin outbox page can show it: what, since when, how often. It is
// cleared when the transport works again.
type MailAlert struct {
	bun.BaseModel `bun:"table:mail_alerts"`

	Kind    string    `bun:"kind,pk"`
	Message string    `bun:"message,notnull"` // what to fix, for the admin
	Detail  string    `bun:"detail,notnull"`  // the last error as the server or library said it
	FirstAt time.Time `bun:"first_at,notnull"`
	LastAt  time.Time `bun:"last_at,notnull"`
	Count   int       `bun:"count,notnull"`
}
