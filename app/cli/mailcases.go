package cli

import (
	"context"
	"time"

	"github.com/kedja/kedja/app/domain/cases"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// MailCases adapts today's case operations to mailin.Cases, the one place
// incoming mail reaches them: when the inquiries service replaces
// cases.OpenInquiry and cases.CustomerReply, re-point these two methods
// (build the service on tx so the work joins mailin's transaction).
type MailCases struct {
	Bus cases.Publisher
}

// Open opens an inquiry for the customer (about orderRef, or in general)
// with the owner rule, inside tx.
func (m MailCases) Open(ctx context.Context, tx *store.Store, customerID int64, subject, body, orderRef string, by model.Actor, now time.Time) (*model.Inquiry, error) {
	return cases.OpenInquiry(ctx, tx, m.Bus, customerID, subject, body, orderRef, by, now)
}

// CustomerReply adds the customer's message to their inquiry, reopening a
// resolved one, inside tx.
func (m MailCases) CustomerReply(ctx context.Context, tx *store.Store, customerID, inquiryID int64, body string, now time.Time) (*model.Message, error) {
	return cases.CustomerReply(ctx, tx, m.Bus, customerID, inquiryID, body, now)
}
